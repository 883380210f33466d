// A Java program with a known class, a known call chain and a collection,
// for the hotspot tapset and the JVM tools (tests/e2e_jvmpy.bats).
public class Calls {
	static class Known {
		final int v;
		Known(int v) { this.v = v; }
	}

	static int gamma(int n) { return n + 1; }
	static int beta(int n) { return gamma(n) * 2; }
	static int alpha(int n) { return beta(n) + 3; }

	public static void main(String[] args) {
		Known k = new Known(alpha(1));
		System.gc();
		System.out.println("done " + k.v);
	}
}
