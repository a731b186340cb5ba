/*
 * snapshot.c: snapshots of the per-site figures, and the difference
 * between two, grouped by file:line as tracemalloc's
 * Snapshot.compare_to(old, 'lineno').
 *
 * A snapshot copies every site's counters (stats.c); it does not walk the
 * side table, so taking one costs a few microseconds per thousand sites
 * whatever the number of live blocks.  Figures read while other threads
 * allocate are each exact at some moment of the read, not all at the same
 * one.  Snapshot memory comes from tracer_memory.c, like all the tracer's.
 */
#include "tracer.h"

#include <stdlib.h>
#include <string.h>

struct pymemcheck_snapshot_diff {
    size_t count;
    pymemcheck_stat_diff *entries;
    size_t bytes;
};

/* ---- Snapshots ---- */

static int compare_stats(const void *a, const void *b)
{
    const pymemcheck_site_stats *x = a, *y = b;
    if (x->live_bytes != y->live_bytes)
        return x->live_bytes > y->live_bytes ? -1 : 1;
    if (x->live_blocks != y->live_blocks)
        return x->live_blocks > y->live_blocks ? -1 : 1;
    int c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
    if (c != 0)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return strcmp(x->api, y->api);
}

static void fill(pymemcheck_site_stats *out, uint32_t id, const struct pmc_site_totals *t)
{
    const struct pmc_site *site = pmc_site_get(id);
    out->file = site->file;
    out->line = site->line;
    out->api = pmc_apis[site->api].name;
    out->allocs = t->allocs;
    out->frees = t->frees;
    out->live_blocks = t->allocs > t->frees ? (size_t)(t->allocs - t->frees) : 0;
    out->live_bytes = t->live_bytes > 0 ? (size_t)t->live_bytes : 0;
    out->peak_bytes = (size_t)t->peak_bytes;
    out->failures_injected = t->injected;
}

pymemcheck_snapshot *pymemcheck_snapshot_take(void)
{
    uint32_t end = pmc_site_end();
    size_t bytes = sizeof(pymemcheck_snapshot) + end * sizeof(pymemcheck_site_stats);
    pymemcheck_snapshot *s = pmc_mem_alloc_for_report(bytes);
    if (s == NULL)
        return NULL;
    s->bytes = bytes;
    s->sites = (pymemcheck_site_stats *)(s + 1);
    pmc_stats_process(&s->current_bytes, &s->peak_bytes);
    for (uint32_t id = 1; id < end; id++) {
        struct pmc_site_totals t;
        pmc_stats_site(id, &t);
        if (t.allocs != 0 || t.injected != 0)
            fill(&s->sites[s->count++], id, &t);
    }
    qsort(s->sites, s->count, sizeof *s->sites, compare_stats);
    return s;
}

void pymemcheck_snapshot_free(pymemcheck_snapshot *snapshot)
{
    if (snapshot != NULL)
        pmc_mem_free(snapshot, snapshot->bytes);
}

const pymemcheck_site_stats *pymemcheck_snapshot_sites(const pymemcheck_snapshot *snapshot,
                                                       size_t *count)
{
    *count = snapshot->count;
    return snapshot->sites;
}

void pymemcheck_snapshot_traced_memory(const pymemcheck_snapshot *snapshot,
                                       size_t *current, size_t *peak)
{
    *current = snapshot->current_bytes;
    *peak = snapshot->peak_bytes;
}

/* ---- Differences ---- */

/* One file:line of one snapshot (all the functions called there). */
struct line_total {
    const char *file;
    int line;
    size_t size, count;
};

static int compare_place(const char *fa, int la, const char *fb, int lb)
{
    int c = strcmp(fa ? fa : "", fb ? fb : "");
    if (c == 0 && (fa == NULL) != (fb == NULL))
        c = fa == NULL ? -1 : 1;
    if (c != 0)
        return c;
    return la == lb ? 0 : la < lb ? -1 : 1;
}

static int compare_lines(const void *a, const void *b)
{
    const struct line_total *x = a, *y = b;
    return compare_place(x->file, x->line, y->file, y->line);
}

/* The snapshot's sites summed per file:line, sorted by place; n gets the
 * number of lines.  The array is part of buf (room for one per site). */
static struct line_total *by_line(const pymemcheck_snapshot *s, struct line_total *buf,
                                  size_t *n)
{
    for (size_t i = 0; i < s->count; i++)
        buf[i] = (struct line_total){s->sites[i].file, s->sites[i].line,
                                     s->sites[i].live_bytes, s->sites[i].live_blocks};
    qsort(buf, s->count, sizeof *buf, compare_lines);
    size_t out = 0;
    for (size_t i = 0; i < s->count; i++) {
        if (out > 0 && compare_lines(&buf[out - 1], &buf[i]) == 0) {
            buf[out - 1].size += buf[i].size;
            buf[out - 1].count += buf[i].count;
        } else {
            buf[out++] = buf[i];
        }
    }
    *n = out;
    return buf;
}

static size_t magnitude(ptrdiff_t d)
{
    return d < 0 ? (size_t)-d : (size_t)d;
}

/* tracemalloc's order: |size_diff|, size, |count_diff|, count, place. */
static int compare_diffs(const void *a, const void *b)
{
    const pymemcheck_stat_diff *x = a, *y = b;
    if (magnitude(x->size_diff) != magnitude(y->size_diff))
        return magnitude(x->size_diff) > magnitude(y->size_diff) ? -1 : 1;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    if (magnitude(x->count_diff) != magnitude(y->count_diff))
        return magnitude(x->count_diff) > magnitude(y->count_diff) ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return compare_place(x->file, x->line, y->file, y->line);
}

static pymemcheck_stat_diff diff_of(const struct line_total *now,
                                    const struct line_total *then)
{
    const struct line_total *place = now ? now : then;
    size_t size = now ? now->size : 0, count = now ? now->count : 0;
    return (pymemcheck_stat_diff){
        place->file, place->line, size,
        (ptrdiff_t)size - (ptrdiff_t)(then ? then->size : 0), count,
        (ptrdiff_t)count - (ptrdiff_t)(then ? then->count : 0)};
}

/* Merge the two sorted line lists into d->entries. */
static void merge(pymemcheck_snapshot_diff *d, const struct line_total *a, size_t na,
                  const struct line_total *b, size_t nb)
{
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : compare_lines(&a[i], &b[j]);
        if (c == 0)
            d->entries[d->count++] = diff_of(&a[i++], &b[j++]);
        else if (c < 0)
            d->entries[d->count++] = diff_of(&a[i++], NULL);
        else
            d->entries[d->count++] = diff_of(NULL, &b[j++]);
    }
}

pymemcheck_snapshot_diff *pymemcheck_snapshot_compare(const pymemcheck_snapshot *newer,
                                                      const pymemcheck_snapshot *older)
{
    size_t lines = newer->count + older->count;
    size_t bytes = sizeof(pymemcheck_snapshot_diff) + lines * sizeof(pymemcheck_stat_diff) +
                   lines * sizeof(struct line_total);
    pymemcheck_snapshot_diff *d = pmc_mem_alloc_for_report(bytes);
    if (d == NULL)
        return NULL;
    d->bytes = bytes;
    d->entries = (pymemcheck_stat_diff *)(d + 1);
    struct line_total *scratch = (struct line_total *)(d->entries + lines);
    size_t na, nb;
    struct line_total *a = by_line(newer, scratch, &na);
    struct line_total *b = by_line(older, scratch + newer->count, &nb);
    merge(d, a, na, b, nb);
    qsort(d->entries, d->count, sizeof *d->entries, compare_diffs);
    return d;
}

const pymemcheck_stat_diff *pymemcheck_snapshot_diff_entries(
    const pymemcheck_snapshot_diff *diff, size_t *count)
{
    *count = diff->count;
    return diff->entries;
}

void pymemcheck_snapshot_diff_print(const pymemcheck_snapshot_diff *diff, FILE *out,
                                    size_t limit)
{
    size_t printed = 0;
    for (size_t i = 0; i < diff->count && (limit == 0 || printed < limit); i++) {
        const pymemcheck_stat_diff *e = &diff->entries[i];
        if (e->size_diff == 0 && e->count_diff == 0)
            continue;
        char place[4096 + 16];
        if (e->file)
            snprintf(place, sizeof place, "%s:%d", e->file, e->line);
        else
            snprintf(place, sizeof place, "<unknown>");
        fprintf(out, "pymemcheck: %s: size=%zu B (%+td B), count=%zu (%+td), average=%zu B\n",
                place, e->size, e->size_diff, e->count, e->count_diff,
                e->count ? e->size / e->count : 0);
        printed++;
    }
    fflush(out);
}

void pymemcheck_snapshot_diff_free(pymemcheck_snapshot_diff *diff)
{
    if (diff != NULL)
        pmc_mem_free(diff, diff->bytes);
}
