/*
 * report.c: the leak report, in text and JSON, at exit and on demand; and
 * the lines the debug hooks' fatal dump prints about a block.
 *
 * Text, in the spirit of LeakSanitizer, one line per site with live blocks,
 * largest first (bytes, then blocks):
 *
 *   pymemcheck: 4096 bytes in 2 blocks allocated at ext.c:42 by PyMem_Malloc
 *   pymemcheck: 24 bytes in 1 block allocated at <unknown> by PyObject_Malloc
 *   pymemcheck: SUMMARY: 4120 bytes leaked in 3 blocks from 2 sites; peak 8192 bytes
 *
 * "<unknown>" gathers the blocks allocated by code that was not compiled
 * with the rewrite.  The JSON form and its schema are in docs/tracer.md.
 * At exit the text report is printed only when there is something to say
 * (a leak, a misuse, an injected failure, an untracked block); JSON is
 * always written, so that tools reading the file always find one.
 */
#include "tracer.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- Sites in words ---- */

int pmc_site_phrase(char *buf, size_t n, uint32_t site)
{
    if (site == 0)
        return snprintf(buf, n, "by untraced code");
    const struct pmc_site *s = pmc_site_get(site);
    const char *api = pmc_apis[s->api].name;
    if (s->file == NULL)
        return snprintf(buf, n, "at <unknown> by %s", api);
    return snprintf(buf, n, "at %s:%d by %s", s->file, s->line, api);
}

bool pmc_describe_block(FILE *out, const void *p)
{
    struct pmc_block b;
    enum pmc_found found = pmc_table_peek(p, &b);
    if (found == PMC_ABSENT)
        return false;
    char where[4200];
    pmc_site_phrase(where, sizeof where, b.site);
    fprintf(out, "Memory block allocated %s\n", where);
    if (found == PMC_FREED) {
        pmc_site_phrase(where, sizeof where, b.free_site);
        fprintf(out, "Memory block freed %s\n", where);
    }
    fputc('\n', out);
    fflush(out);
    return true;
}

/* ---- What a report lists ---- */

struct tally {
    size_t bytes, blocks, sites;
};

static bool listed(const pymemcheck_site_stats *s)
{
    return s->live_blocks > 0 && s->live_bytes >= pmc_config.min_bytes &&
           (pmc_config.report_unknown || s->file != NULL);
}

/* Listed sites, in order, up to max_sites; the rest of the live blocks go
 * to *unlisted. */
static void tally(const pymemcheck_snapshot *s, struct tally *shown, struct tally *unlisted)
{
    *shown = (struct tally){0};
    *unlisted = (struct tally){0};
    for (size_t i = 0; i < s->count; i++) {
        const pymemcheck_site_stats *site = &s->sites[i];
        bool show = listed(site) &&
                    (pmc_config.max_sites == 0 || shown->sites < pmc_config.max_sites);
        struct tally *t = show ? shown : unlisted;
        t->bytes += site->live_bytes;
        t->blocks += site->live_blocks;
        t->sites += site->live_blocks > 0;
    }
}

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

/* ---- Text ---- */

static void text_site(FILE *out, const pymemcheck_site_stats *s)
{
    fprintf(out, "pymemcheck: %zu byte%s in %zu block%s allocated ", s->live_bytes,
            plural(s->live_bytes), s->live_blocks, plural(s->live_blocks));
    if (s->file)
        fprintf(out, "at %s:%d by %s\n", s->file, s->line, s->api);
    else
        fprintf(out, "at <unknown> by %s\n", s->api);
}

static void text_report(FILE *out, const pymemcheck_snapshot *s, bool at_exit)
{
    struct tally shown, unlisted;
    tally(s, &shown, &unlisted);
    for (size_t i = 0, n = 0; i < s->count && n < shown.sites; i++) {
        if (listed(&s->sites[i])) {
            text_site(out, &s->sites[i]);
            n++;
        }
    }
    if (unlisted.blocks > 0)
        fprintf(out, "pymemcheck: %zu more byte%s in %zu block%s at %zu site%s not "
                     "listed (min_bytes, max_sites or untraced)\n",
                unlisted.bytes, plural(unlisted.bytes), unlisted.blocks,
                plural(unlisted.blocks), unlisted.sites, plural(unlisted.sites));
    fprintf(out, "pymemcheck: SUMMARY: %zu byte%s %s in %zu block%s from %zu site%s; "
                 "peak %zu byte%s\n",
            shown.bytes, plural(shown.bytes), at_exit ? "leaked" : "live", shown.blocks,
            plural(shown.blocks), shown.sites, plural(shown.sites), s->peak_bytes,
            plural(s->peak_bytes));
    uint64_t misuses = pmc_stats_misuses(), injected = pmc_stats_injected_total();
    if (misuses)
        fprintf(out, "pymemcheck: %llu misuse%s reported (see the messages above)\n",
                (unsigned long long)misuses, plural(misuses));
    if (injected)
        fprintf(out, "pymemcheck: %llu allocation%s failed by fault injection (fail=)\n",
                (unsigned long long)injected, plural(injected));
    size_t untracked = pmc_untracked_blocks();
    if (untracked)
        fprintf(out, "pymemcheck: warning: %zu block%s not tracked (the tracer ran out "
                     "of memory): these figures are lower bounds\n",
                untracked, plural(untracked));
}

/* ---- JSON ---- */

/* How many bytes of well-formed UTF-8 start at s (RFC 3629: no overlong
 * form, no surrogate, nothing above U+10FFFF), or 0. */
static size_t utf8_length(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n = c >= 0xf0 ? (c <= 0xf4 ? 4 : 0) : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    /* The second byte's range is narrower after these leads. */
    unsigned char low = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
    unsigned char high = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
    for (size_t i = 1; i < n; i++) {
        if (s[i] < (i == 1 ? low : 0x80) || s[i] > (i == 1 ? high : 0xbf))
            return 0;
    }
    return n;
}

/* A JSON string (or null).  A file name is bytes, as __FILE__ gave them;
 * JSON text is UTF-8.  Well-formed UTF-8 is copied, and every other byte
 * B is written \udcBB, as Python's surrogateescape decodes it, so that
 * os.fsencode() of the name gives the bytes back (docs/tracer.md). */
static void json_string(FILE *out, const char *s)
{
    if (s == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        unsigned char c = *u;
        size_t n = c < 0x80 ? 1 : utf8_length(u);
        if (n == 0)
            fprintf(out, "\\udc%02x", c);
        else if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fwrite(u, 1, n, out);
        u += n ? n : 1;
    }
    fputc('"', out);
}

static void json_site(FILE *out, const pymemcheck_site_stats *s, bool first)
{
    fputs(first ? "\n    {\"file\": " : ",\n    {\"file\": ", out);
    json_string(out, s->file);
    fprintf(out, ", \"line\": %d, \"api\": ", s->line);
    json_string(out, s->api);
    fprintf(out, ", \"live_blocks\": %zu, \"live_bytes\": %zu, \"peak_bytes\": %zu, "
                 "\"allocs\": %llu, \"frees\": %llu, \"failures_injected\": %llu}",
            s->live_blocks, s->live_bytes, s->peak_bytes, (unsigned long long)s->allocs,
            (unsigned long long)s->frees, (unsigned long long)s->failures_injected);
}

static void json_report(FILE *out, const pymemcheck_snapshot *s, bool at_exit)
{
    struct tally shown, unlisted;
    tally(s, &shown, &unlisted);
    fprintf(out, "{\n  \"format\": \"pymemcheck-leaks\",\n  \"version\": 1,\n"
                 "  \"pid\": %ld,\n  \"when\": \"%s\",\n",
            (long)getpid(), at_exit ? "exit" : "on-demand");
    fprintf(out, "  \"current_bytes\": %zu,\n  \"peak_bytes\": %zu,\n"
                 "  \"min_bytes\": %zu,\n  \"leaked_bytes\": %zu,\n  \"leaked_blocks\": %zu,\n"
                 "  \"unlisted_bytes\": %zu,\n  \"unlisted_blocks\": %zu,\n",
            s->current_bytes, s->peak_bytes, pmc_config.min_bytes, shown.bytes,
            shown.blocks, unlisted.bytes, unlisted.blocks);
    fprintf(out, "  \"misuses\": %llu,\n  \"failures_injected\": %llu,\n"
                 "  \"untracked_blocks\": %zu,\n  \"tracer_bytes\": %zu,\n  \"leaks\": [",
            (unsigned long long)pmc_stats_misuses(),
            (unsigned long long)pmc_stats_injected_total(), pmc_untracked_blocks(),
            pmc_mem_mapped());
    for (size_t i = 0, n = 0; i < s->count && n < shown.sites; i++) {
        if (listed(&s->sites[i]))
            json_site(out, &s->sites[i], n++ == 0);
    }
    fputs(shown.sites ? "\n  ]\n}\n" : "]\n}\n", out);
}

/* ---- Entry points ---- */

static void write_report(FILE *out, const pymemcheck_snapshot *s, bool json, bool at_exit)
{
    if (json)
        json_report(out, s, at_exit);
    else
        text_report(out, s, at_exit);
    fflush(out);
}

int pymemcheck_report_write(FILE *out, pymemcheck_report_format format)
{
    pymemcheck_snapshot *s = pymemcheck_snapshot_take();
    if (s == NULL)
        return -1;
    write_report(out, s, format == PYMEMCHECK_REPORT_JSON, false);
    pymemcheck_snapshot_free(s);
    return 0;
}

FILE *pmc_output_open(bool *close_it)
{
    const char *spec = pmc_config.output;
    *close_it = false;
    if (strcmp(spec, "stderr") == 0)
        return stderr;
    if (strcmp(spec, "stdout") == 0)
        return stdout;
    char path[sizeof pmc_config.output + 32];
    size_t n = 0;
    for (const char *c = spec; *c && n + 24 < sizeof path; c++) {
        if (c[0] == '%' && c[1] == 'p') {
            n += (size_t)snprintf(path + n, sizeof path - n, "%ld", (long)getpid());
            c++;
        } else {
            path[n++] = *c;
        }
    }
    path[n] = '\0';
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "pymemcheck: cannot open the report file '%s' (output=%s); "
                        "writing the report to stderr\n", path, spec);
        return stderr;
    }
    *close_it = true;
    return f;
}

static int report_to_output(const pymemcheck_snapshot *s, bool at_exit)
{
    bool close_it;
    FILE *out = pmc_output_open(&close_it);
    write_report(out, s, pmc_config.report == PMC_REPORT_JSON, at_exit);
    if (close_it)
        fclose(out);
    return 0;
}

int pymemcheck_report(void)
{
    if (pmc_config.report == PMC_REPORT_NONE)
        return 0;
    pymemcheck_snapshot *s = pymemcheck_snapshot_take();
    if (s == NULL)
        return -1;
    report_to_output(s, false);
    pymemcheck_snapshot_free(s);
    return 0;
}

void pmc_report_at_exit(void)
{
    bool quiet = pmc_config.report == PMC_REPORT_NONE;
    if (!pmc_ever_started() || (quiet && pmc_config.leak_exitcode == 0))
        return;
    pymemcheck_snapshot *s = pymemcheck_snapshot_take();
    if (s == NULL) {
        fputs("pymemcheck: no memory left for the leak report at exit\n", stderr);
        return;
    }
    struct tally shown, unlisted;
    tally(s, &shown, &unlisted);
    bool news = shown.blocks || pmc_stats_misuses() || pmc_stats_injected_total() ||
                pmc_untracked_blocks();
    if (!quiet && (pmc_config.report == PMC_REPORT_JSON || news))
        report_to_output(s, true);
    pymemcheck_snapshot_free(s);
    if (shown.blocks && pmc_config.leak_exitcode) {
        fflush(NULL);
        _exit(pmc_config.leak_exitcode);
    }
}
