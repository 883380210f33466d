// A Java program with a known class, a known call chain a() -> b() -> c()
// and a collection, for the jvm-gc and java-calls tools (tests/e2e_flame.bats).
public class Chain {
	static class Loaded {
		final long v;
		Loaded(long v) { this.v = v; }
	}

	static long c(long n) { return n * 3; }
	static long b(long n) { return c(n) + 2; }
	static long a(long n) { return b(n) + 1; }

	public static void main(String[] args) {
		Loaded l = new Loaded(a(1));
		byte[][] junk = new byte[64][];
		for (int i = 0; i < junk.length; i++)
			junk[i] = new byte[64 * 1024];
		System.gc();
		System.out.println("done " + l.v + " " + junk.length);
	}
}
