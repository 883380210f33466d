/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stapc.h - the compiler's one internal header.
 *
 * Sectioned by the file that implements each part (the chibicc habit), so
 * a reader finds the data structures of a pass next to its entry points.
 */
#ifndef STAPC_H
#define STAPC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "../runtime/stp_attach_kinds.h" /* enum stp_attach, shared with the runtime */

#define STAPC_VERSION "0.1.0"
/* The SystemTap language level we implement, as `systemtap_v` sees it. */
#define STAPC_STAP_COMPAT "4.8"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* A hook's parameter that this hook has no use for. */
#define __maybe_unused __attribute__((unused))

/* ---------------------------------------------------------------- util.c */

/*
 * One arena for everything a compilation allocates: the AST, tokens and
 * strings live until the process ends, so nothing is freed one by one.
 * arena_reset() releases it all (the fuzzer does so between inputs).
 */
void *arena_alloc(size_t size);
/* Not zeroed: for what the caller fills before reading (pages never written cost nothing). */
void *arena_alloc_raw(size_t size);
void arena_reset(void);
char *arena_strndup(const char *s, size_t n);
char *arena_strdup(const char *s);
char *arena_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable array of pointers, storage in the arena. */
struct vec {
	void **data;
	int len, cap;
};
void vec_push(struct vec *v, void *item);
#define vec_at(v, i) ((v)->data[(i)])

/* A growable string, heap-backed (it may be large: the -p1 dump, C code). */
struct strbuf {
	char *buf;
	size_t len, cap;
};
void sb_putc(struct strbuf *sb, char c);
void sb_putn(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_free(struct strbuf *sb);

/* Interned strings: equal text gives an equal pointer, so compare with ==. */
const char *intern_n(const char *s, size_t n);
const char *intern(const char *s);

/* Reads a whole file; NULL with errno set on failure. Result in the arena. */
char *read_file(const char *path, size_t *len);

/* ---------------------------------------------------------------- source */

struct source_file {
	const char *name; /* as given, printed in diagnostics and dumps */
	const char *text;
	size_t len;
	bool is_tapset;	 /* from the tapset library rather than the user */
	bool is_guru_ok; /* embedded C allowed (guru mode, or a tapset) */
	int order;	 /* load order, for sorting diagnostics */
};

/*
 * Where a piece of text came from. `exp` chains through macro and alias
 * expansions, so a diagnostic can say "in expansion of macro @foo".
 */
struct expansion;
struct loc {
	struct source_file *file;
	int line, col; /* 1-based */
	int len;       /* of the token, for the caret's ~~~ */
	struct expansion *exp;
};

struct expansion {
	const char *what; /* "macro '@foo'", "probe alias 'syscall.open'" */
	struct loc at;	  /* where the expansion was asked for */
};

struct source_file *source_add(const char *name, const char *text, size_t len);
struct source_file *source_load(const char *path); /* NULL if unreadable */
void source_set_script(const struct source_file *f);
const char *source_shown_name(const struct source_file *f);

/* ---------------------------------------------------------------- diag.c */

enum diag_level { DIAG_NOTE, DIAG_WARNING, DIAG_ERROR };

/*
 * Diagnostics are collected, not printed at once: a pass records as many
 * as it soundly can, the driver sorts and prints them between passes.
 * A note attaches to the error or warning recorded just before it.
 */
void diag_error(const struct loc *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_warning(const struct loc *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_note(const struct loc *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int diag_error_count(void);
/* Between diag_quiet(true) and (false), errors are only counted: @defined()
 * tries a resolution that may fail without telling the user. */
void diag_quiet(bool on);
int diag_quiet_errors(void);
void diag_flush(FILE *out); /* sort, print and forget what is recorded */
void diag_reset(void);
extern bool diag_color;
extern bool diag_no_warnings; /* -w */
extern bool diag_werror;       /* -W */

/* ---------------------------------------------------------------- lex.c */

enum tok_kind {
	TK_EOF,
	TK_IDENT,   /* foo, $foo, @foo, $$vars: text is the whole spelling */
	TK_NUMBER,  /* num holds the value, text the spelling */
	TK_STRING,  /* text holds the content in stap's raw form (see lex.c) */
	TK_OP,	    /* operators and punctuation, text is the spelling */
	TK_KEYWORD, /* probe, global, if, ... */
	TK_EMBEDDED, /* %{ ... %}: text is what is between the delimiters */
	/*
	 * %( CONFIG_X == "y" %? A %: B %) where a statement or an operand
	 * starts, when compiling a tool: KCONFIG (cond: the condition) A
	 * KCONFIG_ELSE B KCONFIG_END, for the target's kernel to decide.
	 */
	TK_KCONFIG,
	TK_KCONFIG_ELSE,
	TK_KCONFIG_END,
};

struct token {
	enum tok_kind kind;
	const char *text; /* interned */
	int64_t num;
	struct loc loc;
	bool space_before; /* whitespace or a comment precedes it */
	struct expr *cond; /* TK_KCONFIG: E_KCONFIG leaves joined by && and || */
};

struct tokvec {
	struct token *t;
	int len, cap;
};

/* Lexes a whole file; lexical errors are reported and the bad text skipped. */
int lex_file(struct source_file *f, struct tokvec *out); /* returns the error count */
bool tok_is(const struct token *t, const char *text); /* op or keyword */
const char *tok_describe(const struct token *t);

/* ---------------------------------------------------------------- target.c */

/* What the script is compiled for: the values preprocessor conditions see. */
struct target {
	const char *kernel_v;  /* "6.18.44" */
	const char *kernel_vr; /* "6.18.44-fc-v657" */
	const char *arch;      /* "x86_64" */
	const char *runtime;   /* "kernel" (stap's meaning) or "bpf" */
	const char *privilege; /* "stapdev", "stapsys" or "stapusr" */
	const char *systemtap_v; /* the language version scripts see: 4.8, or --compatible's */
	const char *config_path;
	struct kconfig_entry *config; /* CONFIG_* values, loaded lazily */
	bool config_loaded;
	bool guru;
};

void target_init_host(struct target *t);
void target_set_release(struct target *t, const char *release);
const char *target_config(struct target *t, const char *name); /* NULL if unset */

/* ---------------------------------------------------------------- pp.c */

/*
 * The preprocessor sits between the lexer and the parser: it substitutes
 * $1/@1 script arguments, collects @define macros, expands @macro uses and
 * evaluates %( cond %? a %: b %) against the target.
 */
struct macro {
	const char *name;
	struct vec params; /* const char * (interned, without the @) */
	struct token *body;
	int body_len;
	struct loc loc;
	bool is_library; /* from a .stpm file: visible everywhere */
};

struct session;
struct pp_frame;
struct pp {
	struct session *s;
	struct source_file *file;
	struct tokvec toks;	  /* the file's tokens, @defines removed */
	struct vec local_macros;  /* struct macro *, this file's */
	struct pp_frame *frame;	  /* the innermost token source */
	struct token lookahead[4];
	int nlookahead;
	struct token eof;
	int depth; /* of nested expansions, to stop runaway recursion */
	int errors;	/* reported by the preprocessor itself */
	/* The last token the parser got, and the depth of braces: where a %( sits. */
	struct token prev;
	int brace_depth;
	int lex_errors; /* reported by the lexer for this file */
};

void pp_init(struct pp *pp, struct session *s, struct source_file *f);
const struct token *pp_peek(struct pp *pp, int n); /* n < 4 */
struct token pp_next(struct pp *pp);
/* Collects the @defines of a .stpm file into the session's library. */
void pp_load_library_macros(struct session *s, struct source_file *f);

/* ---------------------------------------------------------------- ast.c */

enum expr_kind {
	E_NUMBER,
	E_STRING,
	E_SYMBOL,     /* a variable: name */
	E_TARGET,     /* $var, $$vars ...: name + components */
	E_CAST,	      /* @cast(operand, "type"[, "module"]) + components */
	E_ATVAR,      /* @var("name"[, "module"]) + components */
	E_AUTOCAST,   /* (expr)->member */
	E_DEFINED,    /* @defined(operand) */
	E_ENTRY,      /* @entry(operand) */
	E_KCONFIG,    /* the target's CONFIG_X (name) compared (op) with "y", "m" or "n" (str) */
	E_PERF,	      /* @perf("name") */
	E_CONST,      /* @const("NAME"), guru only */
	E_REGISTER,   /* @kregister(n) / @uregister(n): op names which */
	E_PROBEWRITE, /* @probewrite(symbol) */
	E_BINARY,     /* + - * / % << >> & | ^ */
	E_UNARY,      /* - + ! ~ */
	E_PREINC,     /* ++x --x */
	E_POSTINC,    /* x++ x-- */
	E_LOGICAL,    /* && || */
	E_COMPARE,    /* < > <= >= == != */
	E_REGEX,      /* =~ !~, right is a string literal */
	E_CONCAT,     /* . */
	E_TERNARY,
	E_ASSIGN,     /* = += ... .= <<< */
	E_IN,	      /* [indexes] in base */
	E_INDEX,      /* base[indexes], base a symbol or a histogram */
	E_CALL,	      /* name(args) */
	E_PRINT,      /* printf, sprintf, print, println, printd, ... */
	E_STAT,	      /* @count(x) ... : op names which */
	E_HIST,	      /* @hist_linear(x, lo, hi, step), @hist_log(x) */
	E_EMBEDDED,   /* %{ C expression %}, guru only: str holds the code */
};

/* One step of a $var->a[3]->$ chain. */
enum comp_kind { COMP_FIELD, COMP_INDEX, COMP_PRETTY };
struct component {
	enum comp_kind kind;
	const char *name;      /* COMP_FIELD */
	struct expr *index;    /* COMP_INDEX */
	int pretty;	       /* COMP_PRETTY: 1 for $, 2 for $$ */
	struct loc loc;
};

enum print_kind {
	PRINT_PRINT,
	PRINT_PRINTLN,
	PRINT_PRINTD,
	PRINT_PRINTDLN,
	PRINT_PRINTF,
};

/* Value types, as stap infers them. */
enum vtype { VT_UNKNOWN, VT_LONG, VT_STRING, VT_STATS };
#define MAX_ARRAY_KEYS 9

struct symbol;
struct function;
struct target_ref;

struct expr {
	enum expr_kind kind;
	struct loc loc;
	const char *op;	  /* operator spelling, or the @name of E_STAT etc. */
	const char *name; /* symbol, function, target variable; interned */
	int64_t num;
	const char *str;	/* E_STRING raw content; E_CAST type; E_PRINT format */
	const char *module;	/* E_CAST/E_ATVAR optional module string */
	struct expr *left;	/* operand; E_CAST/E_DEFINED/... operand */
	struct expr *right;
	struct expr *cond; /* E_TERNARY */
	struct vec args;   /* E_CALL/E_PRINT args, E_INDEX/E_IN indexes (NULL = *) */
	struct vec comps;  /* struct component *: E_TARGET, E_CAST, E_ATVAR, E_AUTOCAST */
	bool addr_of;	   /* &$var */
	/* E_PRINT */
	enum print_kind print_kind;
	bool print_to_string; /* sprint* */
	bool has_format;
	/* filled in by elaboration */
	enum vtype type;
	struct symbol *sym;	    /* E_SYMBOL, E_INDEX/E_IN base, E_PROBEWRITE */
	struct function *fn;	    /* E_CALL */
	struct target_ref *target; /* E_TARGET, E_CAST, E_ATVAR: how to read it */
};

enum stmt_kind {
	S_BLOCK,
	S_TRY,
	S_EMBEDDED,
	S_NULL,
	S_EXPR,
	S_IF,
	S_FOR, /* while is a for without init and step */
	S_FOREACH,
	S_RETURN,
	S_DELETE,
	S_NEXT,
	S_BREAK,
	S_CONTINUE,
};

struct stmt {
	enum stmt_kind kind;
	struct loc loc;
	struct vec stmts;	 /* S_BLOCK */
	struct expr *expr;	 /* S_EXPR, S_RETURN, S_DELETE, S_IF/S_FOR cond */
	struct stmt *body;	 /* S_IF then, S_FOR/S_FOREACH body, S_TRY try */
	struct stmt *els;	 /* S_IF else, S_TRY catch */
	struct stmt *init;	 /* S_FOR init (an expression statement) */
	struct expr *step;	 /* S_FOR */
	struct expr *catch_var;	 /* S_TRY: a symbol, or NULL */
	const char *code;	 /* S_EMBEDDED */
	/* S_FOREACH */
	struct vec keys;	 /* struct expr * (symbols) */
	struct expr *value;	 /* `v = [...]`, or NULL */
	struct expr *base;	 /* symbol, slice (E_INDEX with NULLs) or histogram */
	int sort_column;	 /* 0: value, 1..n: key n; -1: unsorted */
	int sort_dir;		 /* +1 ascending, -1 descending */
	const char *sort_agg;	 /* `in a @sum-`: sort stats values by @sum */
	struct expr *limit;
};

/* One component of a probe point: name, or name(literal). */
struct pp_component {
	const char *name; /* may hold * and ** */
	struct expr *arg; /* E_NUMBER or E_STRING, or NULL */
	struct loc loc;
};

struct probe_point {
	struct vec comps; /* struct pp_component * */
	bool optional;	  /* ? */
	bool sufficient;  /* ! */
	struct expr *cond;
	struct loc loc;
};

struct probe {
	struct vec points; /* struct probe_point * */
	struct stmt *body;
	struct loc loc;
	bool is_alias;
	bool alias_append; /* += */
	struct vec alias_names; /* struct probe_point *: the names it defines */
	bool is_private;
	struct source_file *file;
};

struct param {
	const char *name;
	const char *type_decl; /* "long", "string" or NULL */
	struct loc loc;
};

struct function {
	const char *name;
	const char *type_decl;
	struct vec params; /* struct param * */
	struct stmt *body; /* S_BLOCK or S_EMBEDDED */
	struct loc loc;
	bool is_private;
	struct source_file *file;
	/* elaboration */
	enum vtype type;
	struct vec param_syms; /* struct symbol *, parallel to params */
	struct vec locals;     /* struct symbol * */
	bool builtin;	       /* the body is the pragma 'builtin': the compiler provides it */
	bool reachable;
	struct loc type_loc;   /* where the return type was first inferred */
	struct function *next_same_name; /* the other arities, in the elab's by-name map */
	int purity;	       /* elide.c's, 0 until it asks */
};

struct global {
	const char *name;
	struct loc loc;
	int64_t max_entries; /* global a[100]; 0 if not given */
	bool wrap;	     /* global a% */
	struct expr *init;   /* E_NUMBER or E_STRING */
	bool is_private;
	struct source_file *file;
	struct global *next_same_name; /* private ones of other files, by-name map */
	struct symbol *sym;	       /* made on its first use (resolve.c) */
};

struct embed {
	const char *code;
	struct loc loc;
};

/* What one file parses to. */
struct stapfile {
	struct source_file *src;
	struct vec embeds;    /* struct embed * */
	struct vec globals;   /* struct global * */
	struct vec aliases;   /* struct probe * (is_alias) */
	struct vec probes;    /* struct probe * */
	struct vec functions; /* struct function * */
	bool is_tapset;
	bool no_tokens; /* the file holds nothing but blanks and comments */
};

struct expr *expr_new(enum expr_kind kind, struct loc loc);
/* Turns x into sprintf(fmt, args...) (how $$vars and its kin are printed). */
void expr_make_sprintf(struct expr *x, const char *fmt, struct vec args);
struct stmt *stmt_new(enum stmt_kind kind, struct loc loc);
long ast_nodes(void); /* made or cloned so far: what the size limits count */
/* Deep copies: each derived probe gets its own tree to annotate. */
struct expr *expr_clone(const struct expr *e);
struct stmt *stmt_clone(const struct stmt *s);

/* ---------------------------------------------------------------- walk.c */

/*
 * The one walk of the tree: walk.c lists each node's children, a pass hooks
 * the nodes it cares about. Hooks run before a node's children; the _post
 * ones after them. ctx is the pass's own state.
 */
enum walk_next {
	WALK_ON,   /* into the node's children */
	WALK_SKIP, /* not into them: the hook walked them itself, or they do not matter */
	WALK_STOP, /* end the whole walk */
};

struct walker {
	enum walk_next (*expr)(struct walker *w, struct expr *x);
	void (*expr_post)(struct walker *w, struct expr *x);
	enum walk_next (*stmt)(struct walker *w, struct stmt *s);
	void (*stmt_post)(struct walker *w, struct stmt *s);
	/*
	 * A variable statement s writes: a foreach key (key is its number), the
	 * foreach value or the catch variable (key -1). Without this hook it is
	 * walked as any expression; WALK_ON walks it so after the hook.
	 */
	enum walk_next (*bound)(struct walker *w, struct stmt *s, struct expr *var, int key);
	void *ctx;
};

/* false when a hook stopped the walk. NULL nodes are walked as nothing. */
bool walk_expr(struct walker *w, struct expr *x);
bool walk_stmt(struct walker *w, struct stmt *s);
bool walk_expr_children(struct walker *w, struct expr *x);
bool walk_stmt_children(struct walker *w, struct stmt *s);
/* A probe handler or a function: its condition (may be NULL), then its body. */
bool walk_handler(struct walker *w, struct expr *cond, struct stmt *body);
/* An expression hook for walks of statements alone: skips every expression. */
enum walk_next walk_no_expr(struct walker *w, struct expr *x);
/* Whether pred(x, ctx) holds for an expression in e or s, nested ones included. */
bool expr_any(const struct expr *e, bool (*pred)(const struct expr *, void *), void *ctx);
bool stmt_any(const struct stmt *s, bool (*pred)(const struct expr *, void *), void *ctx);
const char *vtype_name(enum vtype t);

/* ---------------------------------------------------------------- parse.c */

/*
 * Parses one file. Returns the file's declarations even when there were
 * errors (what parsed is kept); errors go to diag.
 */
struct stapfile *parse_file(struct session *s, struct source_file *f);
/* Reads every .stpm on the tapset path (once): the library's macros. */
void pp_load_library(struct session *s);

/* tapset_index.c: which of the tapset `paths` the session's script reaches. */
bool *tapset_files_needed(struct session *s, const struct vec *paths);
void parse_check_not_empty(const struct stapfile *sf);

/* Parser internals, shared by parse.c and parse_expr.c. */
struct parser {
	struct session *s;
	struct source_file *f;
	struct pp pp;
	struct stapfile *out;
	jmp_buf recover;
	int errors;
	int in_function; /* 'return' is only allowed here */
	int errors_seen; /* diag's error count when the parser last looked */
	int loop_depth;	 /* for break/continue */
	int depth;	 /* of nested expressions and statements */
	struct loc hist_at; /* where a whole @hist_* may stand: print(@hist_log(s)) */
	long file_start, decl_start; /* ast_nodes() when the file, the declaration began */
	bool too_large;	 /* the file is past its size limit: no more of it is parsed */
};

const struct token *parse_peek(struct parser *p);
const struct token *parse_peek_n(struct parser *p, int n);
bool parse_peek_is(struct parser *p, const char *text);
struct token parse_next(struct parser *p);
bool parse_accept(struct parser *p, const char *text);
struct token parse_expect(struct parser *p, const char *text);
struct token parse_expect_ident(struct parser *p, const char *what);
bool parse_guru_allowed(struct parser *p);
/* A syntax error: reported, then unwinds to the top-level recovery. */
_Noreturn void parse_fail(struct parser *p, const struct loc *l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void parse_expected(struct parser *p, const char *what);
/* An error after which parsing goes on where it is. */
void parse_report(struct parser *p, const struct loc *l, const char *msg);
/* Fails once a declaration or the file grows past its size limit. */
void parse_check_size(struct parser *p, const struct loc *at);

struct expr *parse_expr(struct parser *p);
struct expr *parse_string(struct parser *p);
struct expr *parse_literal(struct parser *p, const char *what);
struct expr *parse_array_base(struct parser *p);
void parse_index_list(struct parser *p, struct vec *into);
bool parse_is_stat_op(const char *name);

/* ---------------------------------------------------------------- dump.c */

/* Prints files in the layout of `stap -p1`. */
void dump_file(struct strbuf *out, const struct stapfile *f);
void dump_expr(struct strbuf *out, const struct expr *e);
void dump_stmt(struct strbuf *out, const struct stmt *s);
void dump_probe_point(struct strbuf *out, const struct probe_point *p);

/* ---------------------------------------------------------------- elab.c (pass 2) */

enum sym_kind { SYM_GLOBAL, SYM_LOCAL, SYM_PARAM };

/* A variable: a global, a probe or function local, or a parameter. */
struct symbol {
	const char *name;
	enum sym_kind kind;
	enum vtype type;
	int arity;		       /* -1 not known yet, 0 scalar, N: array with N keys */
	enum vtype keys[MAX_ARRAY_KEYS];
	struct loc loc;		       /* declaration, or first appearance */
	struct loc type_loc;	       /* where its type was first inferred */
	bool has_type_loc;
	struct loc arity_loc;	       /* where its arity was first inferred */
	struct loc key_locs[MAX_ARRAY_KEYS]; /* where each key's type was */
	int key_width[MAX_ARRAY_KEYS];	     /* string keys: bytes, see keywidth.c */
	struct global *decl;	       /* SYM_GLOBAL: the declaration, if any */
	bool assigned, read;
	bool from_tapset;
	int index;		       /* among the program's globals, or its scope's locals */
};

struct dprobe;
struct elab;
struct variant;

/* Where the tool runs a probe it runs itself: a list of struct stp_tool. */
enum tool_list { TOOL_NONE, TOOL_BEGIN, TOOL_END, TOOL_ERROR, TOOL_TIMER, TOOL_PROCFS };
struct tool_entry {
	enum tool_list list;		   /* TOOL_NONE: never runs (`never`) */
	int64_t order;			   /* begin, end, error: lower first */
	int64_t interval_ns, randomize_ns; /* timers */
	bool interruptible;		   /* stap runs it with interrupts on: 10 x MAXACTION */
	/* procfs files: the name, read's capacity (0: MAXSTRINGLEN), umask (-1: default) */
	const char *path;
	int64_t maxsize, umask;
	bool write;
};

/*
 * A probe provider: one family of built-in probe points (begin/end, timer,
 * kernel.trace, ...). Adding a probe type is adding one file under probes/
 * and one line in probes/registry.c (tests/p2_providers.bats does it): the
 * rest of the compiler asks the hooks below, never a provider's name, and
 * never reads d->data, whose type is the provider's own.
 */
struct provider {
	const char *name;
	/* Recognises a concrete point; fills d->data; may report errors. */
	bool (*match)(struct elab *e, struct dprobe *d);
	/*
	 * Wildcards resolved at compile time: the concrete points of a pattern.
	 * body and cond are the handler's, which may decide where it expands.
	 */
	void (*expand)(struct elab *e, const struct probe_point *p, const struct stmt *body,
		       const struct expr *cond, struct vec *out);
	/*
	 * Resolves a $variable of this probe: false if it has none by that
	 * name; true if it has (errors in its ->field chain are reported).
	 */
	bool (*target)(struct elab *e, struct dprobe *d, struct expr *t);
	/* The $variables this probe has, "$name:type", for hints and -L. */
	void (*vars)(struct elab *e, const struct dprobe *d, struct vec *out);
	/*
	 * A BPF probe's programs: one per way it can attach (fentry, kprobe ...),
	 * tried in this order on the target. Returns how many it filled.
	 */
	int (*variants)(const struct dprobe *d, struct variant *out, int max);
#define MAX_VARIANTS 8
	/*
	 * A return probe's entry program, which keeps per thread what its
	 * handler needs from the entry (@entry() values, arguments a kretprobe
	 * cannot see). entry comes as a copy of the return variant: make it
	 * the entry's (section, attach kind ...) and return true, or return
	 * false if that variant has no entry program. NULL: none has.
	 */
	bool (*entry_of)(const struct dprobe *d, struct variant *entry);
	/* A probe the tool runs (d->in_tool): which of the tool's lists, and its row there. */
	void (*tool_entry)(const struct dprobe *d, struct tool_entry *out);
	/*
	 * A probe the tool runs whose handler asks for kernel context (call is
	 * the first such call): moves it to BPF (d->in_tool = false), or says
	 * why it cannot. NULL: the probe stays in the tool.
	 */
	void (*needs_kernel)(struct dprobe *d, const struct expr *call);
	/* What ppfunc() and probefunc() say in its handler; NULL: "". */
	const char *(*func_name)(const struct dprobe *d);
	/* The resolved point, as -p2 prints it. */
	void (*print)(struct strbuf *out, const struct dprobe *d);
	/* Lists what `stapc -l PATTERN` should show for this family. */
	void (*list)(struct elab *e, const struct probe_point *pattern, struct vec *out);
	/* expand()'s matches may be missing where the tool runs: each is optional. */
	bool expansions_optional;
	/* Its handlers may set its $variables without -g: procfs's $value is the reply. */
	bool target_writable;
};

extern const struct provider *const providers[];

/* attach_kinds.c: the compiler's view of runtime/stp_attach_kinds.h. */
const char *attach_kind_name(enum stp_attach a);    /* "STP_ATTACH_FEXIT", as generated code spells it */
const char *attach_kind_section(enum stp_attach a, const char *target); /* "fexit/vfs_read" */
const char *attach_kind_feature(enum stp_attach a, int *since); /* "fentry", or NULL; since: 5005 */

/*
 * One way a BPF probe attaches: its program's section, how the tool attaches
 * it (enum stp_attach, runtime/stp_attach_kinds.h), and how its handler
 * reaches the probed function's arguments.
 */
enum arg_access {
	ARGS_CTX_ARRAY, /* u64 ctx[]: tp_btf, fentry, fexit */
	ARGS_PT_REGS,	/* struct pt_regs *: kprobe, uprobe */
	ARGS_RECORD,	/* a classic tracepoint's record */
	ARGS_NONE,
};

/* A BTF function's first arguments, as a typed program declares them (BPF_PROG ...). */
#define MAX_FN_PARAMS 6
struct fn_params {
	int n;
	const char *name[MAX_FN_PARAMS]; /* C names, none an identifier generated code uses */
	const char *type[MAX_FN_PARAMS]; /* C types; u64 for one passed by value that is no scalar */
	const char *ret_type;		  /* NULL: void */
};

struct variant {
	const char *section; /* "tp_btf/sched_switch", "kprobe/vfs_read" */
	enum stp_attach attach;
	const char *target;  /* what attach names: an event, a function, a binary */
	const char *func;    /* uprobes: the function pattern, or the mark */
	const char *ukind;   /* uprobes: an STP_U_* name of runtime/user/stp.h */
	const char *usuffix; /* uprobes: what a site's pp() ends with (".return"), or NULL */
	uint64_t uparams_used; /* uprobes: bit N: the handler reads program->uparams[N] */
	const char *filter;  /* a C condition the handler checks first, or NULL */
	enum arg_access args;
	/*
	 * libbpf's macro that types its context ("BPF_PROG", "BPF_KPROBE",
	 * "BPF_KRETPROBE"), or NULL: void *ctx. params: the arguments it
	 * names (NULL: none read).
	 */
	const char *ctx_macro;
	const struct fn_params *params;
	/*
	 * A syscall's tracepoint: its registers are the user's at the
	 * syscall's entry, which hold the syscall's arguments (int_arg(N) in
	 * nd_syscall.* handlers, as in stap's syscall probes).
	 */
	bool syscall_regs;
	bool nmi;	     /* may fire in NMI: its own frame level */
	bool is_return;	     /* kretprobe, fexit: $return is there */
	/*
	 * kretprobe whose handler reads the arguments: a kprobe at the entry
	 * (program PROG_entry) keeps them per thread for it.
	 */
	bool entry_stash;
	/* A kernel wildcard the tool matches: module pattern, pp() of a match, the host's matches. */
	bool kwild;
	const char *kmod, *site_pp;
	const struct vec *host_matches;
	uint32_t perf_type;
	uint64_t perf_config, perf_period;
	bool perf_freq;
};

#define MAX_ALT_SCOPES 8
struct alt_scope {
	int list;	 /* a point list: the user's probe, or one alias expansion */
	int index;	 /* the point's place in it */
	bool sufficient; /* that point ends with '!' */
};

/* A probe after alias expansion: one concrete point and its whole body. */
struct dprobe {
	int id;
	struct probe *user;	    /* the probe the user wrote */
	struct probe_point *point;  /* the concrete point */
	struct vec chain;	    /* const char *: "alias = target" steps, for -p2 */
	const struct provider *prov;
	void *data;		    /* the provider's */
	struct stmt *body;	    /* alias prologues, the user's body, epilogues */
	struct vec locals;	    /* struct symbol * */
	struct expr *cond;	    /* all if() conditions, and-ed */
	bool optional, sufficient;
	/*
	 * The point lists it was derived through, outermost (the user's) first:
	 * in each, which point it came from and whether that one ends with '!'.
	 * A probe from a '!' point that attaches leaves the later points of
	 * that list unattached (stap's "sufficient").
	 */
	struct alt_scope scopes[MAX_ALT_SCOPES];
	int nscopes;
	/*
	 * One of the matches of a wildcard expanded at compile time: `origin`
	 * is the point as written, which the tool reports on as a whole (how
	 * many attached, which not and why) and requires one of, unless the
	 * user made it optional.
	 */
	const char *origin;
	bool origin_optional;
	bool in_tool;		    /* its handler runs in the tool (U), not in BPF */
	/*
	 * A BPF probe's programs, one per way it may attach, in the order the
	 * tool tries them: asked of its provider once, by placement.
	 */
	struct variant *variants;
	int nvariants;
};

/* The elaborated program: what passes 3 and 4 compile. */
struct program {
	struct vec globals;   /* struct symbol *, in declaration order */
	struct vec functions; /* struct function *, reachable ones */
	struct vec probes;    /* struct dprobe * */
	struct vec files;     /* struct stapfile *: the user's, then tapsets */
	struct vec uparams;   /* const char *: user-space parameters named by $NAME */
	struct vec exe_paths; /* const char *: binaries process("PATH").begin/.end filter on */
};

/*
 * Interned name (or any pointer) -> pointer, open addressing: pass 2 looks
 * names up once per use, and a script may have thousands of globals and
 * functions.
 */
struct name_map {
	const char **keys;
	void **vals;
	int cap, len;
};
void *name_map_get(const struct name_map *m, const char *name); /* NULL if none */
void name_map_put(struct name_map *m, const char *name, void *val);

/* The state of pass 2; providers see it too. */
struct elab {
	struct session *s;
	struct program *prog;
	struct vec aliases;	 /* struct probe *, from every file */
	struct vec functions;	 /* struct function *, every file's */
	struct vec global_decls; /* struct global *, every file's */
	struct vec worklist;	 /* struct function * reached but not resolved yet */
	struct btf *btf;	 /* the build host's kernel BTF, when needed */
	bool btf_tried;
	int next_group;
	int in_entry;		 /* resolving the operand of @entry(): the values at entry */
	struct name_map globals_by_name;   /* struct global *, chained by next_same_name */
	struct name_map functions_by_name; /* struct function *, chained likewise */
	struct name_map undeclared;	   /* struct symbol *: arrays used undeclared */
	long nodes_start;	 /* ast_nodes() before the probes were derived */
	bool too_large;		 /* derived probes past MAX_PROGRAM_NODES: said once */
};

struct program *elab_program(struct session *s);
/* Tapsets parsed and collected: all of them (-l/-L), or those the script reaches. */
struct elab *elab_library(struct session *s, bool whole_library);
/* -l / -L (list.c). */
int list_probes(struct session *s, const char *pattern, bool with_vars);
/* Symbols and calls in one probe body or function (resolve.c). */
void resolve_probe(struct elab *e, struct dprobe *d);
void resolve_function(struct elab *e, struct function *fn);
/* Probe points to derived probes through aliases (alias.c). */
bool builtin_point_first(const char *name); /* kernel, timer, begin ... */
void derive_probes(struct elab *e, struct probe *user);
/* An alias variable read but set by no alias is an error (alias_vars.c). */
void check_alias_vars(struct elab *e);
/* A foreach whose body changes the array it walks is an error (foreach_writes.c). */
void check_foreach_writes(struct elab *e);
/* Type inference to a fixpoint, then checks (types.c). */
void infer_types(struct elab *e);
/* Drops unused assignments, functions and tapset globals (elide.c). */
void elide_unused(struct elab *e);
void dump_program(struct strbuf *out, const struct program *prog);

/* ---------------------------------------------------------------- probe_point.c */

/* Probe point components, for providers and aliases. */
int point_ncomps(const struct probe_point *p);
const char *point_name(const struct probe_point *p, int i);
const struct expr *point_arg(const struct probe_point *p, int i);
struct probe_point *point_with_arg(const struct probe_point *p, int i, const char *arg);
bool point_is(const struct probe_point *p, int i, const char *name); /* component i named so */
bool point_match(const char *pattern, const char *name);	       /* * wildcards */

/* ---------------------------------------------------------------- suggest.c */

/* Suggests the closest of `names` (const char *) to `name`, or NULL. */
const char *did_you_mean(const char *name, const struct vec *names);

/* ---------------------------------------------------------------- kdwarf.c */

/* What a kernel.statement("FUNC@FILE:LO-HI") pattern asks of the kernel's DWARF. */
struct kdwarf_query {
	const char *func, *file; /* glob patterns; file: a path inside the source tree */
	int line_lo, line_hi;
	int rel_line;	/* "FUNC@FILE+N": line N after the function's declaration, or 0 */
	bool functions; /* the functions there (each at its declaration), not their lines */
};

/* A variable of a function at a statement, and where a kprobe there finds it. */
enum kvar_kind { KVAR_NONE, KVAR_REG, KVAR_MEM, KVAR_CONST };
struct kvar {
	const char *name, *c_type; /* "ret", "ssize_t" */
	int size;		   /* bytes */
	bool param;
	enum kvar_kind kind;	   /* NONE: not to be had there */
	int reg;		   /* DWARF register: REG's value, or MEM's base */
	int64_t offset;		   /* MEM: from reg; CONST: the value */
};
/* kdwarf_vars.c: the C expression of v's value over regs_expr (a struct pt_regs *), or NULL. */
const char *kvar_c_expr(const struct kvar *v, const char *regs_expr);

/* One statement: a line of a function (or of a copy inlined into one). */
struct kstmt {
	const char *func, *file; /* as pp() names them: "vfs_read", "fs/read_write.c" */
	int line;
	uint64_t addr;		 /* in the DWARF's kernel */
	const char *sym;	 /* the function symbol holding it (NULL: none) */
	uint64_t offset;	 /* addr - sym's address: where the kprobe goes */
	const void *inst;	 /* while reading: the function copy it is in */
	struct vec vars;	 /* struct kvar *: its function's variables there */
};

struct kdwarf;
/* A vmlinux with DWARF (--debuginfo), kept open; NULL, with one error, if it is none. */
struct kdwarf *kdwarf_get(const char *path);
void kdwarf_release(void);
const char *kdwarf_build_id(const struct kdwarf *kd); /* lower-case hex */
const char *kdwarf_kernel_release(const struct kdwarf *kd);  /* uname -r of that kernel, or "" */
/*
 * Appends q's statements (struct kstmt *) sorted by file, line, address;
 * -1 on error. source: the cache file they came from, or the DWARF's path.
 */
int kdwarf_statements(struct kdwarf *kd, const struct kdwarf_query *q, struct vec *out,
		      const char **source);
/* stap's file match: the whole path inside the tree, or its last components. */
bool kdwarf_file_match(const char *pat, const char *path);
/* kdwarf_point.c: the --debuginfo kernel's DWARF for a point of kind what; NULL, said at loc. */
struct kdwarf *kdwarf_for(struct session *s, const struct loc *loc, const char *what);
/* arg's "FUNC@FILE[:LINES]" into q (no LINES: all); false, said at arg, if it is not that. */
bool kdwarf_parse_point(const struct expr *arg, const char *what, bool need_line,
			struct kdwarf_query *q);
/*
 * kdwarf_statements(), and when an absolute FILE names nothing, its tails
 * inside the source tree, with a warning at arg; -v says where they came from.
 */
int kdwarf_find(struct session *s, struct kdwarf *kd, struct kdwarf_query *q,
		const struct expr *arg, struct vec *out);

/* ---------------------------------------------------------------- kbtf.c, tref.c */

/*
 * How to read a target variable ($var, @cast, @var): a base value, then
 * ->field and [index] steps typed from the build host's BTF. The BPF
 * backend turns it into CO-RE reads, relocated on the target.
 */
enum tref_base {
	TREF_TP_ARG,   /* argument `index` of a BTF tracepoint (tp_btf) */
	TREF_TP_FIELD, /* a field of a classic tracepoint's record */
	TREF_VALUE,    /* the value of an expression (@cast's operand) */
	TREF_KRETVAL,  /* a kernel function's return value; `index`: its argument count */
	TREF_UPARAM,   /* a user function's parameter: named slot `index`, placed by the tool */
	TREF_URETVAL,  /* a user function's return value */
	TREF_USDT_ARG, /* argument `index` of a USDT mark */
	TREF_EXPR,     /* c_expr: a register or stack slot the kernel's DWARF names */
};

struct tref_step {
	const char *field; /* ->field, or NULL for [index] */
	struct expr *index;
	int type;	   /* BTF id of the value after this step */
	bool deref;	   /* the step reads through a pointer */
};

struct target_ref {
	enum tref_base base;
	int index;	    /* TREF_TP_ARG */
	int offset, size;   /* TREF_TP_FIELD: where in the record */
	bool is_signed;
	int type;	    /* BTF id of the base value, 0 if untyped */
	struct vec steps;   /* struct tref_step * */
	int final_type;	    /* BTF id of the result */
	bool user;	    /* points into user memory (a __user pointer) */
	bool pretty;	    /* $var$ / $var$$: printed as a string */
	const char *c_type; /* the base's C type, as vmlinux.h spells it */
	bool wide;	    /* the base is a pointer or 64-bit integer: no cast changes its bits */
	bool final_is_array; /* the value is an array: its address is the value */
	const char *c_expr; /* TREF_EXPR */
};

struct btf;
struct btf *kbtf_get(struct elab *e); /* NULL, with one error, if none */
void kbtf_release(void);
int kbtf_strip(const struct btf *btf, int id); /* past typedef, const, volatile */
const char *kbtf_type_name(const struct btf *btf, int id); /* "struct task_struct *" */
/* The arguments of FUNC_PROTO `proto` after its first `skip`, for a typed program. */
const struct fn_params *kbtf_fn_params(const struct btf *btf, int proto, int skip);
/* The named parameters of tracepoint `event` (FUNC_PROTO id), or -1. */
int kbtf_tracepoint_proto(const struct btf *btf, const char *event);
/* The BTF id of a C type as tracefs spells it ("const char *"), or 0. */
int kbtf_parse_c_type(const struct btf *btf, const char *c_type);
/* Resolves ->field steps of `comps` from type `type`; reports and returns false if bad. */
bool tref_resolve(struct elab *e, struct target_ref *r, struct expr *x);
/* Types @cast(ptr, "TYPE")->... from BTF; reports and returns false if bad. */
bool tref_cast(struct elab *e, struct expr *x);

/* ---------------------------------------------------------------- tracefs.c */

/* A field of a classic tracepoint's record, from its tracefs format file. */
struct tp_field {
	const char *name;
	const char *c_type; /* "const char *", "int", "char" (with array set) */
	int offset, size;
	bool is_signed, array;
};

const char *tracefs_dir(void); /* NULL when tracefs is not mounted */
void tracefs_events(struct vec *out); /* const char * "system:event" */
bool tracefs_fields(const char *system, const char *event, struct vec *out);

/* ---------------------------------------------------------------- place.c (pass 3) */

/*
 * Where code runs: K (a BPF program in the kernel) or U (native code in the
 * tool). A probe is one or the other; a function or a global may be both.
 */
enum side { SIDE_K = 1, SIDE_U = 2 };

/* How a string value is held in BPF (place.c decides, per local/function). */
enum srep {
	SREP_PLAIN, /* NUL-terminated bytes in per-CPU scratch */
	SREP_LAZY,  /* pieces the tool assembles: sprintf, quoting, concatenation */
};

/* Facts pass 3 keeps per object, in side tables keyed by pointer. */
struct place_info {
	unsigned sides;	  /* functions, globals: where they are used */
	enum srep rep;	  /* string locals and functions in K */
	int slot;	  /* K functions: the scratch bytes one call needs; a call: what it keeps */
	int out_size;	  /* K lazy string functions, calls of them: record bytes a result takes */
	/* statistics globals: the histogram their values also go into */
	enum { HIST_NONE, HIST_LOG, HIST_LINEAR } hist;
	int64_t lo, hi, step;
	int buckets;
	int shift; /* @variance(x, shift) */
	void *facts; /* place.c's notes while it decides `rep` */
	int calls;   /* K functions: 1 while its calls are walked, 2 after (recursion check) */
};

/* One BPF program: a variant of a kernel-side probe, with its entry program if any. */
struct kprog {
	struct dprobe *d;
	int v;			/* the variant's number */
	const char *name;	/* probe_N, probe_N_V */
	struct variant var;
	/*
	 * A return's entry program, NAME_entry (when stash): it keeps the
	 * arguments a kretprobe's handler reads (var.entry_stash) and the
	 * values of the @entry(EXPR)s (entry_values), per thread.
	 */
	struct variant entry;
	const struct vec *entries; /* struct expr *: the @entry(EXPR)s, x->num from 1 */
	bool entry_values;
	bool stash;
	bool shares_body; /* it and the next (variants, alike probes) call one body (place_code()) */
};

/*
 * What pass 3 decided, for the emitters to read: place.c, place_progs.c
 * and place_code.c fill it; emit_bpf(), emit_user() and emit_header()
 * take it const, and run in any order.
 *
 * The last group is what the generated code refers to by number or needs
 * room for. place_code() decides it by running the code generators once
 * with `planning` set (kgen_run.planning, ugen.planning): each number is
 * given out where the generator first needs it, so a later writing, which
 * only looks numbers up, meets them in the same order. So, in a kgen_
 * function: a string BPF reads is kgen_literal(), a format kgen_format(),
 * a record kgen_new_site(); a buffer is kgen_slot(k, bytes), from which the
 * planning sizes the frame's scratch (scratch_max) and each function's
 * (place_info.slot); a new fact of the plan is set only while
 * k->run->planning is not NULL, and read from k->pl.
 */
struct plan {
	struct program *prog;
	struct session *s;
	int64_t maxstringlen, maxmapentries, maxactions, maxerrors, maxnesting;
	const char *name;	/* the tool's name, a C identifier prefix */
	const char *tool_name;	/* the tool's name as its users see it: kfmseal-alt */
	struct vec kprobes;	/* struct dprobe * placed in K */
	struct vec uprobes;	/* struct dprobe * placed in U */
	struct vec kprogs;	/* struct kprog *: the programs of the kprobes, in order */
	bool has_usdt;		/* K has USDT programs: libbpf's usdt.bpf.h is needed */
	bool k_catches_message; /* a try in K gives its catch the message: BPF makes it */
	int nargs_max;		/* the highest script argument used at run time */
	struct vec kfunctions;	/* struct function *: K's, in NAME.bpf.c's order, each after its callees */
	/* Decided by place_code(). */
	struct vec literals;	/* const char *: strings BPF refers to by index */
	struct vec kconfigs;	/* const char *: CONFIG_ names BPF asks libbpf for */
	struct vec formats;	/* const char *: printf/sprintf formats, decoded (the tool's too) */
	struct vec regexes;	/* const char *: =~ patterns, decoded; their DFA tables (regex.c) */
	struct vec slices;	/* const char *: "ARRAY/10" of each `delete a[k, *]` BPF makes (1: fixed) */
	struct vec sites;	/* struct out_site *: K -> U records, in the order K makes them */
	bool usites_map;	/* K reads pp()/probefunc()/$NAME of uprobe sites from a map */
	bool ksites_map;	/* K reads pp()/probefunc() of kernel wildcard sites from a map */
	bool uses_uparms;	/* $$parms or $$return of a uprobe */
	int scratch_max;	/* the most frame scratch a K handler or function uses */
	int record_max;		/* the biggest record K sends */
	unsigned bpf_uses;	/* the BPF_USES_* helpers K's code calls */
};

/* One kind of record BPF sends the tool. */
enum site_kind { SITE_PRINT, SITE_ERROR, SITE_WARN, SITE_EXIT, SITE_LOG, SITE_SYSTEM };
struct out_site {
	enum site_kind kind;
	const struct expr *x; /* the print/call expression */
	int format;	      /* index in plan->formats, or -1 */
	int id;
	int max_size;	      /* bytes BPF reserves for the record */
};

struct place_info *place_of(const void *key);
void place_reset(void); /* before arena_reset(): the fuzzer compiles many scripts */
/* keywidth.c: sets key_width of every global array's keys. */
void infer_key_widths(struct program *prog, int64_t maxstringlen);

/* Pass 3's first step; tool_name as the user wrote it ("iotop-trace"). */
struct plan *place_program(struct session *s, struct program *prog, const char *tool_name);
/*
 * place_progs.c, after place_program(): kprogs, has_usdt, k_catches_message.
 * Reports the @entry()s it cannot keep.
 */
void place_kprogs(struct plan *pl);
/* place_code.c, after place_kprogs(): the plan's last group. */
void place_code(struct plan *pl);
/* A string's number in the plan: given out while planning, looked up after. */
int plan_literal(struct plan *pl, const char *s);
int plan_literal_id(const struct plan *pl, const char *s);
int plan_format(struct plan *pl, const char *fmt);
int plan_format_id(const struct plan *pl, const char *fmt);
int plan_regex(struct plan *pl, const char *pattern);
int plan_regex_id(const struct plan *pl, const char *pattern);
int plan_slice(struct plan *pl, const char *slice);
int plan_slice_id(const struct plan *pl, const char *slice);
/* regex.c: a pattern's DFA table, *size bytes (states: *size / 257), or NULL and why. */
unsigned char *regex_compile(const char *pattern, int *size, const char **why);
struct cw;
void regex_emit_tables(const struct plan *pl, struct cw *w);
/* Decodes C escapes of a stap string literal (\n, \t, \101, \x41 ...). */
const char *decode_escapes(const char *raw);
/* Whether BPF can make this printf format as bytes (no %b %m, precision, *, ...). */
bool bpf_can_format(const char *fmt);
/* One printf conversion, as bpf_fmt_spec() reads it from its '%'. */
struct bpf_spec {
	bool minus, plus, space, alt, zero, precision;
	const char *width; /* its digits, width_len of them */
	int width_len;
	char conv; /* the letter, 0 at the end of the format */
};
const char *bpf_fmt_spec(const char *c, struct bpf_spec *sp);
bool bpf_spec_as_text(const struct bpf_spec *sp);

/* ---------------------------------------------------------------- emit/ (pass 3) */

/* A C writer: indentation, and #line directives back to the script. */
struct cw {
	struct strbuf sb;
	int indent;
	const struct source_file *line_file;
	int line;
	const char *pending_file; /* a cw_loc() not yet written: see cw.c */
	int pending_line;
	unsigned uses; /* what the code written calls (BPF_USES_*), as its writers note */
};
void cw_line(struct cw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cw_open(struct cw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cw_close(struct cw *w, const char *tail);
void cw_blank(struct cw *w);
void cw_block(struct cw *w);
void cw_loc(struct cw *w, const struct loc *l);
void cw_raw(struct cw *w, const char *s);
const char *c_string(const char *s); /* a C string literal for s */
const char *c_comment(const char *s); /* s, safe inside a C comment */

/*
 * One writing of the whole kernel side: placement's, which decides what
 * the plan's last group holds (planning), or the emitter's, which reads it.
 */
struct kgen_run {
	const struct plan *pl;
	struct plan *planning; /* placement's run: the plan being decided, else NULL */
	int next_site;	       /* the emitter's run: the next of plan->sites to meet */
	int scratch_max;       /* the most scratch a handler or function used */
};

/* The K emitter's state while it writes one handler or function. */
struct kgen {
	const struct plan *pl;
	struct kgen_run *run;
	struct cw *w;
	struct dprobe *probe;	  /* the handler being written, or NULL */
	struct function *fn;	  /* the function being written, or NULL */
	int tmp;		  /* temporaries made so far */
	int scratch;		  /* bytes of the frame's scratch in use */
	int scratch_max;	  /* the most any handler needs */
	const char *err_label;	  /* where an error goes: a catch, or the handler's end */
	const char *ret_label;	  /* functions: where return goes */
	const char *break_label;  /* the innermost loop's end */
	const struct variant *variant; /* the program being written */
	int loop_depth;
	int try_depth;		  /* trys around the code being written */
	bool entry_values;	  /* a return: its @entry(EXPR)s are in stp_stash->v[] */
	/*
	 * Arguments are read by their names (variant->params), parameters of
	 * a typed program or of a probe's shared body: bit N of args_used
	 * says argument N is read; ret_used, $return ("ret").
	 */
	bool named_args;
	bool copy_ptrs;		  /* a variant's pointers are typed: copied to be numbers */
	unsigned args_used;
	bool ret_used;
	struct vec jumped;	  /* const char *: labels some goto names, so they are written */
};
/* `label`, noted as jumped to: for "goto %s;" (a label no goto names is not written). */
const char *kgen_jump(struct kgen *k, const char *label);
bool kgen_jumped(const struct kgen *k, const char *label);

/*
 * Whether x reads the same at a function's return as at its entry: its
 * parameters (which fexit and a kretprobe's stash keep), and arithmetic on them.
 */
bool kgen_same_at_entry(const struct expr *x);

/* Names in generated code. */
const char *gen_global(const struct symbol *g); /* g_NAME */
const char *gen_local(const struct symbol *s);	/* l_NAME */
const char *gen_function(const struct function *fn);
const char *gen_ctype(enum vtype t); /* s64 or a string */
int gen_stat_buckets(const struct symbol *g); /* histogram buckets a stats global needs */
const char *runtime_error_text(const char *msg, const char *near, const struct loc *loc);

/* K expressions (emit/bpf_expr.c). */
const char *kgen_long(struct kgen *k, struct expr *x);
const char *kgen_str(struct kgen *k, struct expr *x); /* a char * to the bytes */
/* Whether bytes s match the regular expression re (decoded), as a long. */
const char *kgen_match(struct kgen *k, const char *s, const char *re, bool negate);
void kgen_effect(struct kgen *k, struct expr *x);    /* x for its effect: a statement */
void kgen_out(struct kgen *k, struct expr *x, const char *rec); /* pieces into a record */
int kgen_out_size(struct kgen *k, struct expr *x);
void kgen_stmt(struct kgen *k, struct stmt *s);
const char *kgen_slot(struct kgen *k, int size); /* a scratch buffer for this handler */
const char *kgen_usite(struct kgen *k); /* the uprobe site id, or NULL outside uprobes */
/*
 * The saved registers (struct pt_regs *) as C, NULL where the probe has
 * none (tracepoints, fentry, timers); in a function, its regs parameter.
 * _arg: the same, "NULL" for none, to pass to a function.
 */
const char *kgen_regs(struct kgen *k);
const char *kgen_regs_arg(struct kgen *k, const struct expr *call);
/* The U emitter's state (emit/user*.c). */
struct ugen {
	const struct plan *pl;
	struct plan *planning; /* placement's run (place_code()): formats are numbered */
	struct cw *w;
	struct dprobe *probe;
	struct function *fn;
	int tmp;
	const char *err_label;
	const char *break_label;
	const char *continue_label;
	struct vec *temps;	/* declarations hoisted to the function's top */
	struct vec jumped;	/* const char *: the break and continue labels a goto names */
};

const char *ugen_long(struct ugen *u, struct expr *x);
const char *ugen_str(struct ugen *u, struct expr *x); /* a char * to MAXSTRINGLEN bytes */
void ugen_stmt(struct ugen *u, struct stmt *s);
const char *ugen_strtmp(struct ugen *u);
const char *ugen_map(const struct symbol *g); /* the struct stp_map * of an array */

/* The BPF helpers generated code calls that not every kernel has (manifest). */
enum {
	BPF_USES_PROBE_READ_KERNEL = 1 << 0,
	BPF_USES_PROBE_READ_USER = 1 << 1,
	BPF_USES_SNPRINTF = 1 << 2,
	BPF_USES_PERCPU_LOOKUP = 1 << 3, /* bpf_map_lookup_percpu_elem, and bpf_loop */
	BPF_USES_UADDRS = 1 << 4, /* not a helper: the stp_uaddrs map, ubacktrace() as bytes */
	BPF_USES_PYSTACK = 1 << 5,	 /* pystack(): stp_bpf.h's CPython frame walk and its maps */
};
/*
 * The code of each side, written into w: once by place_code() with
 * `planning`, which decides, and once by the emitter, with NULL.
 */
void kgen_code(struct kgen_run *run, struct cw *w);
void ugen_code(const struct plan *pl, struct plan *planning, struct cw *w);
/* A literal's, a format's number: given out while planning, looked up after. */
int kgen_literal(struct kgen *k, const char *s);
int kgen_format(struct kgen *k, const char *fmt);

void emit_bpf(const struct plan *pl, struct strbuf *out);
/* What the module's emitter (emit/kmod.c) shares with emit_bpf(): the same handlers. */
void kgen_functions(struct kgen_run *run, struct cw *w);
/* How many probes from kprogs[i] on, of one program each, may share kprogs[i]'s body. */
int kgen_alike_probes(const struct plan *pl, int i);
const char *kgen_handler_text(struct kgen_run *run, const struct kprog *kp, bool copy_ptrs,
			      struct kgen *k);
const char *kgen_body_args(const struct fn_params *fp, const struct kgen *k, bool types);
/* The pieces of one lazy string local, at most: the BPF and module templates' STP_LAZY_MAX. */
#define LAZY_MAX 512
/* n rounded up to a power of two, at least 64: the templates' scratch and record sizes. */
int kgen_pow2_at_least(int n);
const char *kgen_value_type(const struct symbol *g, const struct plan *pl); /* a K array's value type */
const char *kgen_decl(const char *type, const char *name);
void kgen_kglobal_inits(const struct plan *pl, struct cw *w);
void kgen_hist_functions(const struct plan *pl, struct cw *w); /* stp_stat_hist_NAME() */
void kgen_slice_deletes(const struct plan *pl, struct cw *w);  /* delete a[k, *] callbacks */
void kgen_literals(const struct plan *pl, struct cw *fields, struct cw *values);
/* NAME.kmod.c: the module's C, for each kernel's kbuild (emit/kmod.c). */
void emit_kmod(const struct plan *pl, struct strbuf *out);
const char *prog_name(const struct dprobe *d, int variant);
void emit_user(const struct plan *pl, struct strbuf *out, const char *script,
	       const char *description);
void emit_header(const struct plan *pl, struct strbuf *out);

/* ---------------------------------------------------------------- template.c */

/* A file of templates/, embedded at build time (build/gen/templates.c). */
struct template_file {
	const char *name; /* the file name without ".in": "tool.c" */
	const char *text;
	size_t len;
};
extern const struct template_file stp_templates[]; /* ends with { NULL } */

/* A placeholder's value; a list of them ends with { NULL }. */
struct tvar {
	const char *name; /* "NAME" for @NAME@ */
	const char *value;
};
/* Template `name` with its placeholders replaced; a missing value aborts. */
const char *template_expand(const char *name, const struct tvar *vars);

/* ---------------------------------------------------------------- translate.c, build.c */

struct translation {
	const char *name; /* C identifier */
	bool has_bpf;
	bool has_kmod; /* the kernel side is a module (kmod_c), built per kernel in pass 4 */
	const char *bpf_c, *header, *user_c, *manifest;
	const char *kmod_c;
	const char *man_page; /* NAME.1 */
};

struct translation *translate(struct session *s, struct program *prog, const char *name,
			      const struct source_file *script);
const char *tool_c_name(const char *name);
const char *script_description(const char *text);
/* man_page.c: a tool's manual page, from its name, script and argument count. */
const char *man_page(const char *name, const char *script_name, const char *text, int nargs);
/* manifest.c: the tool's manifest as JSON; bpf_uses is the plan's BPF_USES_* set. */
const char *manifest(const struct plan *pl, const struct source_file *script, bool has_bpf,
		     unsigned bpf_uses);
bool build_tool(struct session *s, const char *dir, const struct translation *t,
		const char *out);
/* Runs argv in cwd (NULL: ours), its stdout into out_path (NULL: ours); true if it succeeded. */
bool build_run(struct session *s, const char *cwd, const char *const *argv, const char *out_path);
/* build_kmod.c: the module of t for each --kernel, as C data (*object) and in the manifest. */
bool build_kmods(struct session *s, const char *dir, const struct translation *t,
		 const char *runtime, const char *datadir, const char **object,
		 const char **manifest);
/* files.c: every file stapc writes (made with mkstemp beside it, then renamed). */
int mkdir_p(const char *path);
int mkdir_p_mode(const char *path, mode_t mode);
bool write_file(const char *path, const char *data, size_t len);
bool write_file_mode(const char *path, const char *data, size_t len, mode_t mode);
bool same_file(const char *a, const char *b);
/* cache.c: a private, bounded cache of built tools. */
const char *cache_path(void);
const char *cache_dir(void);
bool cache_file_trusted(const char *path);
void cache_touch(const char *entry);
void cache_trim(const char *keep);
uint64_t hash_bytes64(const void *data, size_t n, uint64_t h);
uint64_t build_fingerprint(struct session *s);

/* ---------------------------------------------------------------- options.c */

/* What the command line asks for, beyond what the session holds. */
struct options {
	const char *script_file; /* NULL with -e */
	const char *script_text; /* -e */
	const char *output;	 /* -o */
	const char *command;	 /* -c */
	int target_pid;		 /* -x */
	long timeout;		 /* -T */
	const char *list_pattern; /* -l / -L */
	bool list_vars;		 /* -L */
	bool no_warnings;	 /* -w */
	bool warnings_are_errors; /* -W */
	struct vec include_dirs; /* -I */
	struct vec defines;	 /* -D NAME=VAL */
	struct vec global_inits; /* -G VAR=VAL */
};

void options_parse(struct session *s, struct options *o, int argc, char **argv);
void options_usage(FILE *out);

/* ---------------------------------------------------------------- backend.c */

enum backend { BACKEND_AUTO, BACKEND_BPF, BACKEND_MODULE };
struct backend_choice {
	enum backend backend;
	const char *why; /* "forced by --backend=module", "the script needs it: ..." */
};
struct session;
/* Decides s->backend for prog (-v says it); false, with an error, if it cannot be had. */
bool backend_choose(struct session *s, struct program *prog);
void backend_dump(struct strbuf *out, const struct session *s);
const char *backend_name(enum backend b);

/* ---------------------------------------------------------------- main.c */

struct session {
	enum backend backend_req;	/* --backend */
	struct backend_choice backend;	/* what backend_choose() decided */
	struct vec kernels;		/* const char *: --kernel/-r releases a module is built for */
	struct target target;
	struct vec args;	  /* const char *: script arguments $1.. */
	struct vec include_dirs;  /* -I, then the built-in tapset dir */
	struct vec library_macros; /* struct macro * from .stpm files */
	struct vec files;	  /* struct stapfile * of the user's script */
	bool guru;
	bool unprivileged;
	int verbose;
	int last_pass;
	bool library_macros_loaded;
	const char *btf_path; /* --btf FILE: kernel types instead of the host's */
	const char *debuginfo_path; /* --debuginfo PATH: the target kernel's vmlinux with DWARF */
	/* Its build id and release, once a probe was placed from it: the tool runs there only. */
	const char *kernel_build_id, *kernel_release;
	struct vec defines;   /* -D NAME=VALUE */
	/*
	 * Building a tool without script arguments: $N and @N are read when the
	 * tool runs, not substituted now; the highest N used.
	 */
	bool defer_args;
	int runtime_args_max;
};

/* ---------------------------------------------------------------- sign.c */

/*
 * Ed25519 signatures (libsodium) in minisign's key and signature formats.
 *
 * Every tool carries a signature slot: SIGN_SLOT_SIZE bytes in its own ELF
 * section SIGN_SECTION, made by build.c in NAME.obj.c:
 *
 *   0   8  "STAPCSIG"   found through the section headers, never hashed away
 *   8   2  "ED"         Ed25519 over BLAKE2b-512 of the file; zeros: unsigned
 *   10  8  key id       of the signing key (minisign's)
 *   18 64  signature
 *   82 46  zeros        must stay zero
 *
 * The signed bytes are the whole file with bytes 8..127 of the slot zeroed,
 * so signing rewrites the slot in place and the file stays the same valid
 * ELF. The detached FILE.minisig signs the final file, slot included.
 */
#include "../runtime/user/sign_slot.h" /* SIGN_SECTION, SIGN_SLOT_SIZE, SIGN_MAGIC */

struct sign_request {
	const char *sign_key;	  /* --sign KEY: a minisign secret key file */
	const char *trust_pub;	  /* --trust PUB: the tool runs only if it verifies */
	unsigned char trust[42];  /* PUB read: "Ed", key id (8), public key (32) */
};
extern struct sign_request sign_req;

/* stapc keygen|sign|verify ...: the exit status, or -1 if argv[1] is none. */
int sign_command(int argc, char **argv);
/* Reads --trust PUB into sign_req; false (with a message) if it cannot. */
bool sign_load_trust(void);
/* The C text of the slot and the trusted key, for NAME.obj.c. */
void sign_obj_c(struct strbuf *sb);
/* --sign: signs PATH in place and writes PATH.minisig. */
bool sign_tool(const char *path);
/* Lower-case hex SHA-256 of the bytes, in the arena. */
const char *sha256_hex(const void *data, size_t n);
/* The minisign key id of the trusted key, as minisign prints it, or NULL. */
const char *sign_trust_id(void);

#endif /* STAPC_H */
