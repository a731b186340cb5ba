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

struct rule {
    char pattern[MAX_PATTERN];
    int line;                   /* 0: any line */
    enum mode mode;
    uint64_t n;
    _Atomic uint64_t calls;
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
        const struct rule *r = &rules[i];
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
    bool fires = r->mode == EVERY || (r->mode == NTH && call == r->n) ||
                 (r->mode == AFTER && call > r->n);
    if (fires)
        pmc_stats_injected(site);
    return fires;
}

/* A decimal number at the end of text, after the character `mark`: its
 * value, with text cut at the mark.  -1 when text does not end so, and
 * -2 when the number is above max. */
static long long take_suffix(char *text, char mark, uint64_t max)
{
    char *at = strrchr(text, mark);
    if (at == NULL || at[1] == '\0' || strspn(at + 1, "0123456789") != strlen(at + 1))
        return -1;
    uint64_t value = 0;
    for (const char *c = at + 1; *c; c++) {
        unsigned digit = (unsigned)(*c - '0');
        if (value > (max - digit) / 10)
            return -2;
        value = value * 10 + digit;
    }
    *at = '\0';
    return (long long)value;
}

/* Traced calls stop reading the rules while they change. */
static void disarm(void)
{
    atomic_store(&pmc_faults_armed, false);
    pmc_gate_set(PMC_GATE_FAULTS, false);
}

int pmc_faults_add(const char *spec, const char **why)
{
    char pattern[MAX_PATTERN];
    if (nrules == MAX_RULES) {
        *why = "too many fail= rules (at most 16)";
        return -1;
    }
    if (strlen(spec) >= MAX_PATTERN) {
        *why = "the pattern is too long";
        return -1;
    }
    strcpy(pattern, spec);
    enum mode mode = EVERY;
    long long n = take_suffix(pattern, '@', LLONG_MAX);
    if (n >= 0)
        mode = NTH;
    else if (n == -1 && (n = take_suffix(pattern, '+', LLONG_MAX)) >= 0)
        mode = AFTER;
    long long line = n == -2 ? -1 : take_suffix(pattern, ':', INT_MAX);
    if (n == -2 || line == -2) {
        *why = n == -2 ? "the count is above 9223372036854775807"
                       : "the line number is above 2147483647";
        return -1;
    }
    if (pattern[0] == '\0' || (mode == NTH && n == 0) || line == 0) {
        *why = pattern[0] == '\0' ? "no file pattern" : "calls and lines count from 1";
        return -1;
    }
    disarm();
    struct rule *r = &rules[nrules++];
    strcpy(r->pattern, pattern);
    r->line = line > 0 ? (int)line : 0;
    r->mode = mode;
    r->n = mode == EVERY ? 0 : (uint64_t)n;
    atomic_store(&r->calls, 0);
    pmc_sites_refresh_faults();
    atomic_store(&pmc_faults_armed, true);
    pmc_gate_set(PMC_GATE_FAULTS, true);
    return 0;
}

void pmc_faults_clear(void)
{
    disarm();
    nrules = 0;
    pmc_sites_refresh_faults();
}
