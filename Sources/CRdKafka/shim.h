// librdkafka (Debian librdkafka-dev, found through pkg-config "rdkafka") for Swift.
//
// Swift imports librdkafka's functions and plain integer constants, but not its macros with
// casts (RD_KAFKA_OFFSET_*, RD_KAFKA_PARTITION_UA) nor the variadic rd_kafka_producev(). The
// inline functions below stand in for them.
#ifndef MONITOR_CRDKAFKA_SHIM_H
#define MONITOR_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stddef.h>

/// RD_KAFKA_OFFSET_BEGINNING (-2): the partition's first available offset.
static inline int64_t monitor_rdkafka_offset_beginning(void) { return RD_KAFKA_OFFSET_BEGINNING; }
/// RD_KAFKA_OFFSET_END (-1): the partition's next offset (only new messages).
static inline int64_t monitor_rdkafka_offset_end(void) { return RD_KAFKA_OFFSET_END; }
/// RD_KAFKA_OFFSET_STORED (-1000): the committed offset.
static inline int64_t monitor_rdkafka_offset_stored(void) { return RD_KAFKA_OFFSET_STORED; }
/// RD_KAFKA_OFFSET_INVALID (-1001): no offset (in assign(): fetch the committed offset).
static inline int64_t monitor_rdkafka_offset_invalid(void) { return RD_KAFKA_OFFSET_INVALID; }
/// RD_KAFKA_PARTITION_UA (-1): let the partitioner choose.
static inline int32_t monitor_rdkafka_partition_ua(void) { return RD_KAFKA_PARTITION_UA; }

/// rd_kafka_producev() with a copied value, an optional key, a partition (or
/// monitor_rdkafka_partition_ua()) and up to three string headers (name/value pairs; NULL
/// names are skipped). `opaque` comes back in the delivery report.
static inline rd_kafka_resp_err_t monitor_rdkafka_produce(
    rd_kafka_t *rk, const char *topic, int32_t partition,
    const void *key, size_t key_len, const void *value, size_t value_len,
    const char *h1, const char *v1, const char *h2, const char *v2, const char *h3, const char *v3,
    void *opaque) {
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new(3);
    if (h1) rd_kafka_header_add(hdrs, h1, -1, v1, -1);
    if (h2) rd_kafka_header_add(hdrs, h2, -1, v2, -1);
    if (h3) rd_kafka_header_add(hdrs, h3, -1, v3, -1);
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
        RD_KAFKA_V_VALUE((void *)value, value_len), RD_KAFKA_V_HEADERS(hdrs),
        RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (err) rd_kafka_headers_destroy(hdrs);  // on success the message owns them
    return err;
}

#endif
