/*
 * faults.c: fault injection by call site, the C-location version of
 * CPython's _testcapi.set_nomemory.
 *
 * A rule (the fail= option, docs/tracer.md) names sites by their file
 * (a glob; without '/' it is matched against the file's base name, with
 * '/' against the whole name as the call site gives it), optionally a line,
 * and which of the matching calls fail:
 *
 *     fail=ext.c            every allocation at a site in ext.c
 *     fail=ext.c:42@3       only the 3rd call at ext.c line 42
 *     fail=src/ext*.c+10    every call after the first 10, in src/ext*.c
 *
 * Calls are counted per rule, across all the sites it matches.  A site's
 * rule is worked out once, when the site is interned (and again when the
 * rules change), so a call pays one load of a global flag while no rule is
 * set, and one atomic increment while one is.  Only allocations fail (the
 * PEP 445 malloc, calloc and realloc rows, and the C library's allocating
 * rows), never frees.
 */
#include "tracer.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_RULES = 16, MAX_PATTERN = 512 };

enum mode { EVERY, NTH, AFTER };

/* A rule as its text gives it. */
struct rule_spec {
    char pattern[MAX_PATTERN];
    int line;                   /* 0: any line */
    enum mode mode;
    uint64_t n;
};

struct rule {
    struct rule_spec spec;
    _Atomic uint64_t calls;     /* across all the sites it matches */
};

static struct rule rules[MAX_RULES];
static int nrules;
atomic_bool pmc_faults_armed;

/* A bracket expression at **p ('[' ... ']', '!' or '^' negating, a-z
 * ranges, a leading ']' literal) against c; *p is left on its ']'.  An
 * unclosed '[' is a literal '['. */
static bool class_matches(const char **p, char c)
{
    const char *q = *p + 1;
    bool negate = *q == '!' || *q == '^';
    if (negate)
        q++;
    bool found = false;
    for (const char *first = q; *q && (q == first || *q != ']'); q++) {
        if (q[1] == '-' && q[2] && q[2] != ']') {
            found |= (unsigned char)q[0] <= (unsigned char)c &&
                     (unsigned char)c <= (unsigned char)q[2];
            q += 2;
        } else {
            found |= *q == c;
        }
    }
    if (*q != ']')
        return c == '[';
    *p = q;
    return found != negate;
}

/* One pattern element at **p against c; *p moves past it. */
static bool element_matches(const char **p, char c)
{
    const char *q = *p;
    bool ok;
    if (*q == '?') {
        ok = true;
    } else if (*q == '[') {
        ok = class_matches(&q, c);
    } else {
        if (*q == '\\' && q[1])
            q++;
        ok = *q == c;
    }
    *p = q + 1;
    return ok;
}

/* fnmatch(3) without FNM_PATHNAME ('*' crosses '/'): ours, because the C
 * library's may allocate, and this runs inside allocation calls. */
static bool glob(const char *pattern, const char *text)
{
    const char *star = NULL, *resume = NULL;
    while (*text) {
        if (*pattern == '*') {
            star = ++pattern;
            resume = text;
            continue;
        }
        const char *p = pattern;
        if (*p && element_matches(&p, *text)) {
            pattern = p;
            text++;
        } else if (star != NULL) {
            pattern = star;
            text = ++resume;
        } else {
            return false;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

static const char *base_name(const char *file)
{
    const char *slash = strrchr(file, '/');
    return slash ? slash + 1 : file;
}

uint8_t pmc_faults_match(const char *file, int line)
{
    if (file == NULL)
        return 0;
    for (int i = 0; i < nrules; i++) {
        const struct rule_spec *r = &rules[i].spec;
        const char *subject = strchr(r->pattern, '/') ? file : base_name(file);
        if ((r->line == 0 || r->line == line) && glob(r->pattern, subject))
            return (uint8_t)(i + 1);
    }
    return 0;
}

bool pmc_fault_fires(uint32_t site)
{
    const struct pmc_site *s = pmc_site_get(site);
    uint8_t index = atomic_load_explicit(&s->fault_rule, memory_order_relaxed);
    if (index == 0)
        return false;
    struct rule *r = &rules[index - 1];
    uint64_t call = atomic_fetch_add_explicit(&r->calls, 1, memory_order_relaxed) + 1;
    const struct rule_spec *spec = &r->spec;
    bool fires = spec->mode == EVERY || (spec->mode == NTH && call == spec->n) ||
                 (spec->mode == AFTER && call > spec->n);
    if (fires)
        pmc_stats_injected(site);
    return fires;
}

/* Rules are read from the end: "<glob>[:<line>][@<N>|+<N>]".  A mark
 * (':', '@' or '+') is the character before the digits text ends with,
 * unless escaped with '\\' (the glob's escape: "a\\@2" is a file pattern).
 * Returns the mark, with the digits' value in *value and text cut at the
 * mark; or 0 when text does not end so, or when the digits are missing or
 * too large (a line goes up to INT_MAX, a count to INT64_MAX), which
 * sets *why. */
static char take_suffix(char *text, uint64_t *value, const char **why)
{
    size_t end = strlen(text), start = end;
    while (start > 0 && text[start - 1] >= '0' && text[start - 1] <= '9')
        start--;
    size_t backslashes = 0;
    while (start >= backslashes + 2 && text[start - 2 - backslashes] == '\\')
        backslashes++;
    if (start == 0 || !strchr(":@+", text[start - 1]) || backslashes % 2)
        return 0;
    char mark = text[start - 1];
    uint64_t max = mark == ':' ? INT_MAX : INT64_MAX;
    if (start == end) {
        *why = mark == ':' ? "no line number after ':'"
               : mark == '@' ? "no call number after '@'"
                             : "no count after '+'";
        return 0;
    }
    const char *digits_end;
    unsigned long long n;
    if (!pmc_parse_digits(text + start, max, &digits_end, &n)) {
        *why = mark == ':' ? "the line number is above 2147483647"
                           : "the count is above 9223372036854775807";
        return 0;
    }
    *value = n;
    text[start - 1] = '\0';
    return mark;
}

/* spec into *p; false with *why set when it is not a rule.  Only the
 * grammar's suffixes are taken: one that is left over (two lines, two
 * counts, a count before the line) is an error, never a glob. */
static bool parse_rule(const char *spec, struct rule_spec *p, const char **why)
{
    if (strlen(spec) >= MAX_PATTERN) {
        *why = "the pattern is too long";
        return false;
    }
    strcpy(p->pattern, spec);
    *why = NULL;
    uint64_t n = 0, line = 0, more;
    char mark = take_suffix(p->pattern, &n, why);
    bool has_line = mark == ':';
    if (has_line) {
        line = n;
        mark = 0;
    } else if (mark) {
        char before = take_suffix(p->pattern, &line, why);
        has_line = before == ':';
        if (before && !has_line)
            *why = "two counts (one of @N and +N)";
    }
    char extra = *why ? 0 : take_suffix(p->pattern, &more, why);
    if (extra)
        *why = extra == ':' ? "two line numbers" : "@N or +N comes after the line";
    if (!*why && p->pattern[0] == '\0')
        *why = "no file pattern";
    if (!*why && ((has_line && line == 0) || (mark == '@' && n == 0)))
        *why = "calls and lines count from 1";
    if (*why)
        return false;
    p->line = (int)line;
    p->mode = mark == '@' ? NTH : mark == '+' ? AFTER : EVERY;
    p->n = mark ? n : 0;
    return true;
}

/* Traced calls stop reading the rules while they change. */
static void disarm(void)
{
    atomic_store(&pmc_faults_armed, false);
    pmc_gate_set(PMC_GATE_FAULTS, false);
}

/* Parse spec; then, only when it is a rule, add it, after dropping the
 * rules there were when replace says so: a bad fail= leaves them as they
 * were. */
static int set_rule(const char *spec, bool replace, const char **why)
{
    struct rule_spec p;
    if (!parse_rule(spec, &p, why))
        return -1;
    if (!replace && nrules == MAX_RULES) {
        *why = "too many fail= rules (at most 16)";
        return -1;
    }
    disarm();
    if (replace)
        nrules = 0;
    struct rule *r = &rules[nrules++];
    r->spec = p;
    atomic_store(&r->calls, 0);
    pmc_sites_refresh_faults();
    atomic_store(&pmc_faults_armed, true);
    pmc_gate_set(PMC_GATE_FAULTS, true);
    return 0;
}

int pmc_faults_add(const char *spec, const char **why)
{
    return set_rule(spec, false, why);
}

int pmc_faults_replace(const char *spec, const char **why)
{
    return set_rule(spec, true, why);
}

void pmc_faults_clear(void)
{
    disarm();
    nrules = 0;
    pmc_sites_refresh_faults();
}
