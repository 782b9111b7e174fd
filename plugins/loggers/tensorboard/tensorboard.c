/* tensorboard.c — the `tensorboard` logger plugin: metrics as scalar
 * summaries in a TensorBoard event file,
 * <run_dir>/tensorboard/events.out.tfevents.<unix time>.<hostname>.
 *
 * The file is a sequence of TFRecords, each holding one serialized Event
 * protobuf, written by the small hand encoder below (no protobuf library:
 * the three messages used have six fields). The first record carries only
 * the file version; each metric then becomes one Event with one scalar
 * Value tagged "<split>/<name>" (or "<name>" when the split is empty).
 * Scalars are 32-bit floats, as TensorBoard stores them. It does not write
 * histograms, images or text.
 *
 * TFRecord framing (tensorflow/core/lib/io/record_writer.cc):
 *     uint64 length (little-endian) | uint32 masked_crc32c(length)
 *     data[length]                  | uint32 masked_crc32c(data)
 * with masked(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8.
 *
 * The host calls a logger from one thread at a time.
 *
 * Invariant: after every call that succeeds, the file holds only whole
 * records (each record is built in memory, written, and the call flushes). */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <isa-l/crc.h>

#include "se3flow/plugin.h"

typedef struct tensorboard_options {
    const char *dir; /* "" means <run_dir>/tensorboard; relative to run_dir */
} tensorboard_options;

static const s3f_option k_options[] = {
    S3F_OPT_STRING("dir", tensorboard_options, dir, "",
                   "event file directory; empty: <run_dir>/tensorboard; relative paths start "
                   "at run_dir"),
    S3F_OPT_END,
};

typedef struct tensorboard_logger {
    FILE *file;
    char *path; /* for messages */
} tensorboard_logger;

/* ---- CRC32C and TFRecord framing ---------------------------------------- */

/* CRC32C (Castagnoli) of `data`. ISA-L's crc32_iscsi leaves out the initial
 * and final inversion of the standard definition, so they are done here; it
 * takes an int length, so longer data goes in chunks (the CRC chains). */
static uint32_t crc32c(const uint8_t *data, size_t size)
{
    uint32_t crc = 0xffffffffu;
    while (size > 0) {
        int chunk = size > INT_MAX ? INT_MAX : (int)size;
        /* crc32_iscsi takes a non-const pointer but only reads. */
        crc = crc32_iscsi((unsigned char *)data, chunk, crc);
        data += chunk, size -= (size_t)chunk;
    }
    return ~crc;
}

static uint32_t masked_crc32c(const uint8_t *data, size_t size)
{
    uint32_t crc = crc32c(data, size);
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

static void put_le32(uint8_t *out, uint32_t v)
{
    for (int i = 0; i < 4; i++) out[i] = (uint8_t)(v >> (8 * i));
}

/* Writes `data` as one TFRecord. Returns false on a write error. */
static bool write_record(FILE *file, const uint8_t *data, size_t size)
{
    uint8_t header[12], footer[4];
    for (int i = 0; i < 8; i++) header[i] = (uint8_t)((uint64_t)size >> (8 * i));
    put_le32(header + 8, masked_crc32c(header, 8));
    put_le32(footer, masked_crc32c(data, size));
    return fwrite(header, 1, sizeof header, file) == sizeof header &&
           fwrite(data, 1, size, file) == size && fwrite(footer, 1, 4, file) == 4;
}

/* ---- protobuf encoding -------------------------------------------------- */

/* Field numbers from tensorflow/core/util/event.proto and
 * tensorflow/core/framework/summary.proto:
 *     message Event   { double wall_time = 1; int64 step = 2;
 *                       oneof what { string file_version = 3; ... Summary summary = 5; } }
 *     message Summary { repeated Value value = 1; }
 *     message Summary.Value { string tag = 1; oneof value { float simple_value = 2; ... } }
 * A field's key is (number << 3) | wire type. */
enum { EVENT_WALL_TIME = 1, EVENT_STEP = 2, EVENT_FILE_VERSION = 3, EVENT_SUMMARY = 5 };
enum { SUMMARY_VALUE = 1 };
enum { VALUE_TAG = 1, VALUE_SIMPLE_VALUE = 2 };
enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_BYTES = 2, WIRE_FIXED32 = 5 };

/* A growing message buffer. After an allocation failure `failed` stays set
 * and further writes are dropped, so a message is built without checks and
 * tested once at the end. */
typedef struct pb_buffer {
    uint8_t *data;
    size_t size, capacity;
    bool failed;
} pb_buffer;

static void pb_bytes(pb_buffer *b, const void *data, size_t size)
{
    if (b->failed) return;
    if (b->size + size > b->capacity) {
        size_t capacity = 2 * (b->size + size) + 64;
        uint8_t *grown = realloc(b->data, capacity);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->data = grown, b->capacity = capacity;
    }
    memcpy(b->data + b->size, data, size);
    b->size += size;
}

static void pb_varint(pb_buffer *b, uint64_t v)
{
    uint8_t bytes[10];
    size_t n = 0;
    while (v >= 0x80) bytes[n++] = (uint8_t)(v | 0x80), v >>= 7;
    bytes[n++] = (uint8_t)v;
    pb_bytes(b, bytes, n);
}

static void pb_key(pb_buffer *b, unsigned field, unsigned wire)
{
    pb_varint(b, (uint64_t)(field << 3 | wire));
}

/* Little-endian IEEE bits, as fixed64 / fixed32 fields carry them. */
static void pb_fixed(pb_buffer *b, uint64_t bits, int size)
{
    uint8_t bytes[8];
    for (int i = 0; i < size; i++) bytes[i] = (uint8_t)(bits >> (8 * i));
    pb_bytes(b, bytes, (size_t)size);
}

static void pb_double(pb_buffer *b, unsigned field, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    pb_key(b, field, WIRE_FIXED64);
    pb_fixed(b, bits, 8);
}

/* `v` as a float; beyond the float range it is an infinity (the cast alone
 * would be undefined behaviour there). */
static float to_float(double v)
{
    if (v > FLT_MAX) return INFINITY;
    if (v < -FLT_MAX) return -INFINITY;
    return (float)v;
}

static void pb_float(pb_buffer *b, unsigned field, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    pb_key(b, field, WIRE_FIXED32);
    pb_fixed(b, bits, 4);
}

/* A length-delimited field made of `count` pieces laid end to end. */
static void pb_pieces(pb_buffer *b, unsigned field, int count, const char *const *pieces)
{
    size_t size = 0;
    for (int i = 0; i < count; i++) size += strlen(pieces[i]);
    pb_key(b, field, WIRE_BYTES);
    pb_varint(b, size);
    for (int i = 0; i < count; i++) pb_bytes(b, pieces[i], strlen(pieces[i]));
}

static void pb_message(pb_buffer *b, unsigned field, const pb_buffer *inner)
{
    pb_key(b, field, WIRE_BYTES);
    pb_varint(b, inner->size);
    pb_bytes(b, inner->data, inner->size);
}

/* Event{wall_time, step} — the fields every event starts with. */
static void pb_event_head(pb_buffer *event, double wall_time, int64_t step)
{
    pb_double(event, EVENT_WALL_TIME, wall_time);
    pb_key(event, EVENT_STEP, WIRE_VARINT);
    pb_varint(event, (uint64_t)step); /* a negative int64 is its ten-byte two's complement */
}

/* Event{wall_time, step, summary {value {tag: "<split>/<name>", simple_value}}}
 * appended to `event`. */
static void encode_scalar_event(pb_buffer *event, const s3f_metric *m)
{
    pb_buffer value = {0}, summary = {0};
    const char *split = m->split ? m->split : "";
    const char *tag[3] = {split, split[0] ? "/" : "", m->name};
    pb_pieces(&value, VALUE_TAG, 3, tag);
    pb_float(&value, VALUE_SIMPLE_VALUE, to_float(m->value));
    pb_message(&summary, SUMMARY_VALUE, &value);
    pb_event_head(event, m->wall_time, m->step);
    pb_message(event, EVENT_SUMMARY, &summary);
    event->failed |= value.failed || summary.failed;
    free(value.data);
    free(summary.data);
}

/* ---- the logger --------------------------------------------------------- */

static void tensorboard_close(void *state, const char *final_status)
{
    tensorboard_logger *logger = state;
    if (!logger) return;
    if (logger->file) fclose(logger->file);
    free(logger->path);
    free(logger);
}

/* Writes one encoded event as a record and frees its buffer; the caller
 * flushes once per call. */
static s3f_status write_event(tensorboard_logger *logger, pb_buffer *event)
{
    s3f_status rc = S3F_OK;
    if (event->failed)
        rc = s3f_fail(S3F_ERR_NOMEM, "tensorboard logger: out of memory encoding an event");
    else if (!write_record(logger->file, event->data, event->size))
        rc = s3f_fail(S3F_ERR_IO, "tensorboard logger: writing %s failed: %s", logger->path,
                      strerror(errno));
    free(event->data);
    *event = (pb_buffer){0};
    return rc;
}

static s3f_status flush_events(tensorboard_logger *logger)
{
    if (fflush(logger->file) != 0)
        return s3f_fail(S3F_ERR_IO, "tensorboard logger: flushing %s failed: %s", logger->path,
                        strerror(errno));
    return S3F_OK;
}

/* Seconds since the Unix epoch, with the clock's resolution. */
static double wall_clock(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

/* Creates `dir` and its missing parents (like mkdir -p). */
static s3f_status make_dirs(char *dir)
{
    for (char *slash = strchr(dir + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash) *slash = '\0';
        int failed = mkdir(dir, 0777) != 0 && errno != EEXIST;
        if (slash) *slash = '/';
        if (failed)
            return s3f_fail(S3F_ERR_IO,
                            "tensorboard logger: cannot create directory %s: %s; "
                            "check option `dir`",
                            dir, strerror(errno));
        if (!slash) return S3F_OK;
    }
}

/* <dir>/events.out.tfevents.<unix time>.<hostname>[.<n>], created exclusively
 * so that two loggers started in one second never share a file. */
static s3f_status create_event_file(tensorboard_logger *logger, const char *dir)
{
    char host[256] = "localhost";
    if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    size_t size = strlen(dir) + strlen(host) + 64;
    if (!(logger->path = malloc(size)))
        return s3f_fail(S3F_ERR_NOMEM, "tensorboard logger: out of memory");
    long long now = (long long)time(NULL);
    for (int n = 0; n < 100 && !logger->file; n++) {
        int used = snprintf(logger->path, size, "%s/events.out.tfevents.%lld.%s", dir, now, host);
        if (n > 0) snprintf(logger->path + used, size - (size_t)used, ".%d", n);
        logger->file = fopen(logger->path, "wbx");
        if (!logger->file && errno != EEXIST) break;
    }
    if (!logger->file)
        return s3f_fail(S3F_ERR_IO, "tensorboard logger: cannot create %s: %s", logger->path,
                        strerror(errno));
    return S3F_OK;
}

/* The event directory: `dir` option resolved against run_dir. Heap or NULL. */
static char *resolve_dir(const char *run_dir, const char *dir)
{
    if (!dir || !dir[0]) dir = "tensorboard";
    if (dir[0] == '/') return strdup(dir);
    size_t size = strlen(run_dir) + strlen(dir) + 2;
    char *path = malloc(size);
    if (path) snprintf(path, size, "%s/%s", run_dir, dir);
    return path;
}

static s3f_status tensorboard_open(const void *options, const s3f_run_info *run, void **state)
{
    const tensorboard_options *opts = options;
    if (!opts || !run || !run->run_dir || !state)
        return s3f_fail(S3F_ERR_ARG, "tensorboard logger: open needs options, run info with a "
                                     "run_dir and a state pointer");
    s3f_status rc = S3F_OK;
    char *dir = resolve_dir(run->run_dir, opts->dir);
    tensorboard_logger *logger = calloc(1, sizeof *logger);
    pb_buffer event = {0};
    if (!dir || !logger) {
        rc = s3f_fail(S3F_ERR_NOMEM, "tensorboard logger: out of memory");
        goto fail;
    }
    S3F_TRY(make_dirs(dir));
    S3F_TRY(create_event_file(logger, dir));
    /* The first record names the format version; TensorBoard checks it. */
    pb_event_head(&event, wall_clock(), 0);
    pb_pieces(&event, EVENT_FILE_VERSION, 1, (const char *const[]){"brain.Event:2"});
    S3F_TRY(write_event(logger, &event));
    S3F_TRY(flush_events(logger));
    free(dir);
    *state = logger;
    return S3F_OK;
fail:
    free(event.data);
    tensorboard_close(logger, NULL);
    free(dir);
    return rc;
}

static s3f_status tensorboard_log_metrics(void *state, const s3f_metric *metrics, int count)
{
    tensorboard_logger *logger = state;
    if (!logger || count < 0 || (count > 0 && !metrics))
        return s3f_fail(S3F_ERR_ARG, "tensorboard logger: log_metrics needs a state and %d metrics",
                        count);
    for (int i = 0; i < count; i++)
        if (!metrics[i].name || !metrics[i].name[0])
            return s3f_fail(S3F_ERR_ARG, "tensorboard logger: metric %d of %d has no name", i,
                            count);
    for (int i = 0; i < count; i++) {
        pb_buffer event = {0};
        encode_scalar_event(&event, &metrics[i]);
        S3F_RETURN_IF_ERR(write_event(logger, &event));
    }
    return flush_events(logger);
}

static const s3f_logger_i k_functions = {
    .open = tensorboard_open,
    .log_metrics = tensorboard_log_metrics,
    .close = tensorboard_close,
};

static const s3f_plugin_descriptor k_plugin = {
    .abi_version = S3F_PLUGIN_ABI_VERSION,
    .kind = S3F_PLUGIN_LOGGER,
    .name = "tensorboard",
    .version = "1.0.0",
    .summary = "metrics as TensorBoard scalars in <run_dir>/tensorboard",
    .options = k_options,
    .options_size = sizeof(tensorboard_options),
    .interface = &k_functions,
};

S3F_PLUGIN_EXPORT const s3f_plugin_descriptor *s3f_plugin_entry(void)
{
    return &k_plugin;
}
