// monitor-kafka-mock: librdkafka's mock cluster (rdkafka_mock.h) in its own process, for tests.
//
// It serves the real Kafka protocol on loopback TCP, so a test can SIGKILL `monitor run` and
// restart it against the same brokers, topics, committed offsets and consumer group.
//
//   monitor-kafka-mock [BROKERS]          # default 3 brokers
//
// Prints "bootstrap HOST:PORT,..." on stdout, then reads one command per line on stdin and
// answers each with one line, "ok ..." or "error ...". It exits at end of input (so it never
// outlives the test that started it) or on "quit".
//
//   topic NAME PARTITIONS                  create a topic (replication factor 1)
//   down ID|-1 / up ID|-1                  broker ID (or all) stops / resumes accepting connections
//   rtt ID|-1 MS                           broker round-trip delay
//   errors APIKEY CODE[,CODE...]           the next requests of APIKEY (e.g. 8 = OffsetCommit)
//                                          fail with these error codes (numbers, -195 = transport)
//   clear APIKEY                           forget pushed errors
//   leader TOPIC PARTITION ID              move a partition's leader
//   coordinator GROUP ID                   move the group's coordinator
//   produce TOPIC PATH MODE                each line of PATH is one message; MODE is roundrobin,
//                                          model (key = the record's "model", default partitioner)
//                                          or a partition number. Answers "ok COUNT" once every
//                                          message is acknowledged.
//   message TOPIC PARTITION TEXT           one message (the rest of the line is its value)
//   watermarks TOPIC                       "ok P:LOW:HIGH ..." per partition
//   consume TOPIC PATH                     read every message of TOPIC (all partitions, from the
//                                          start to the high watermark) with a real consumer and
//                                          write one line per message to PATH:
//                                          {"partition":P,"offset":O,"key":"K","headers":{...},"value":VALUE}
//                                          (VALUE as produced: the tests' messages are JSON).
//                                          Answers "ok COUNT".
//   quit
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TOPICS 64

static rd_kafka_t *rk;
static rd_kafka_mock_cluster_t *mc;
static struct { char name[256]; int partitions; } topics[MAX_TOPICS];
static int topic_count;
static int delivery_failures;

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void reply(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

static int partitions_of(const char *topic) {
    for (int i = 0; i < topic_count; i++)
        if (strcmp(topics[i].name, topic) == 0) return topics[i].partitions;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    int n = 0;
    if (rd_kafka_metadata(rk, 0, t, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1)
        n = md->topics[0].partition_cnt;
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    return n;
}

static void on_delivery(rd_kafka_t *k, const rd_kafka_message_t *m, void *opaque) {
    (void)k;
    (void)opaque;
    if (m->err) delivery_failures++;
}

// The value of "model" in a JSON record, by a plain scan (test data only).
static const char *model_key(const char *line, size_t *len) {
    const char *p = strstr(line, "\"model\"");
    if (!p) return NULL;
    p += 7;
    while (*p == ' ' || *p == ':') p++;
    if (*p != '"') return NULL;
    const char *end = strchr(p + 1, '"');
    if (!end) return NULL;
    *len = (size_t)(end - p - 1);
    return p + 1;
}

static int produce_one(const char *topic, int32_t partition, const char *key, size_t key_len, const char *value,
                       size_t len) {
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)value, len), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk, 50);
            continue;
        }
        return err;
    }
}

static void cmd_produce(const char *topic, const char *path, const char *mode) {
    FILE *f = fopen(path, "r");
    if (!f) {
        reply("error cannot open %s", path);
        return;
    }
    int n = partitions_of(topic);
    int by_model = strcmp(mode, "model") == 0;
    int round_robin = strcmp(mode, "roundrobin") == 0;
    int fixed = (!by_model && !round_robin) ? atoi(mode) : -1;
    if (n <= 0) {
        fclose(f);
        reply("error unknown topic %s", topic);
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    long count = 0;
    delivery_failures = 0;
    while ((got = getline(&line, &cap, f)) > 0) {
        if (line[got - 1] == '\n') line[--got] = 0;
        if (got == 0) continue;
        size_t klen = 0;
        const char *key = by_model ? model_key(line, &klen) : NULL;
        int32_t partition = by_model ? RD_KAFKA_PARTITION_UA : round_robin ? (int32_t)(count % n) : fixed;
        rd_kafka_resp_err_t err = produce_one(topic, partition, key, klen, line, (size_t)got);
        if (err) {
            free(line);
            fclose(f);
            reply("error produce: %s", rd_kafka_err2str(err));
            return;
        }
        count++;
        rd_kafka_poll(rk, 0);
    }
    free(line);
    fclose(f);
    rd_kafka_resp_err_t err = rd_kafka_flush(rk, 60000);
    if (err || delivery_failures) {
        reply("error flush: %s, %d failed", rd_kafka_err2str(err), delivery_failures);
        return;
    }
    reply("ok %ld", count);
}

static void cmd_watermarks(const char *topic) {
    int n = partitions_of(topic);
    char out[8192];
    size_t used = 0;
    used += (size_t)snprintf(out + used, sizeof out - used, "ok");
    for (int p = 0; p < n; p++) {
        int64_t lo = -1, hi = -1;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 5000);
        if (err) {
            reply("error watermarks %s/%d: %s", topic, p, rd_kafka_err2str(err));
            return;
        }
        if (used < sizeof out) used += (size_t)snprintf(out + used, sizeof out - used, " %d:%lld:%lld", p, (long long)lo, (long long)hi);
    }
    reply("%s", out);
}

static void cmd_consume(const char *topic, const char *path) {
    int n = partitions_of(topic);
    if (n <= 0) {
        reply("error unknown topic %s", topic);
        return;
    }
    int64_t high[256];
    long expected = 0;
    for (int p = 0; p < n && p < 256; p++) {
        int64_t lo = -1;
        if (rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &high[p], 5000)) high[p] = 0;
        expected += (long)(high[p] - (lo < 0 ? 0 : lo));
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        reply("error cannot write %s", path);
        return;
    }
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(mc), errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", "monitor-kafka-mock-consume", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!c) {
        fclose(f);
        reply("error consumer: %s", errstr);
        return;
    }
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(n);
    for (int p = 0; p < n; p++) rd_kafka_topic_partition_list_add(list, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(c, list);
    rd_kafka_topic_partition_list_destroy(list);
    long count = 0;
    for (int idle = 0; count < expected && idle < 100;) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        if (!m) { idle++; continue; }
        if (!m->err) {
            fprintf(f, "{\"partition\":%d,\"offset\":%lld,\"key\":\"%.*s\",\"headers\":{", (int)m->partition, (long long)m->offset,
                    (int)m->key_len, m->key ? (const char *)m->key : "");
            rd_kafka_headers_t *hdrs = NULL;
            if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const char *name;
                const void *value;
                size_t size;
                for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; i++)
                    fprintf(f, "%s\"%s\":\"%.*s\"", i ? "," : "", name, (int)size, value ? (const char *)value : "");
            }
            fprintf(f, "},\"value\":%.*s}\n", (int)m->len, (const char *)m->payload);
            count++;
            idle = 0;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    fclose(f);
    reply("ok %ld", count);
}

static void handle(char *line) {
    char *save = NULL;
    char *cmd = strtok_r(line, " \t", &save);
    if (!cmd) return;
    char *a = strtok_r(NULL, " \t", &save);
    char *b = strtok_r(NULL, " \t", &save);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (strcmp(cmd, "topic") == 0 && a && b) {
        err = rd_kafka_mock_topic_create(mc, a, atoi(b), 1);
        if (!err && topic_count < MAX_TOPICS) {
            snprintf(topics[topic_count].name, sizeof topics[topic_count].name, "%s", a);
            topics[topic_count++].partitions = atoi(b);
        }
    } else if (strcmp(cmd, "down") == 0 && a) {
        err = rd_kafka_mock_broker_set_down(mc, atoi(a));
    } else if (strcmp(cmd, "up") == 0 && a) {
        err = rd_kafka_mock_broker_set_up(mc, atoi(a));
    } else if (strcmp(cmd, "rtt") == 0 && a && b) {
        err = rd_kafka_mock_broker_set_rtt(mc, atoi(a), atoi(b));
    } else if (strcmp(cmd, "errors") == 0 && a && b) {
        rd_kafka_resp_err_t codes[64];
        size_t n = 0;
        char *s2 = NULL;
        for (char *c = strtok_r(b, ",", &s2); c && n < 64; c = strtok_r(NULL, ",", &s2)) codes[n++] = (rd_kafka_resp_err_t)atoi(c);
        rd_kafka_mock_push_request_errors_array(mc, (int16_t)atoi(a), n, codes);
    } else if (strcmp(cmd, "clear") == 0 && a) {
        rd_kafka_mock_clear_request_errors(mc, (int16_t)atoi(a));
    } else if (strcmp(cmd, "leader") == 0 && a && b) {
        char *c = strtok_r(NULL, " \t", &save);
        if (!c) {
            reply("error usage: leader TOPIC PARTITION ID");
            return;
        }
        err = rd_kafka_mock_partition_set_leader(mc, a, atoi(b), atoi(c));
    } else if (strcmp(cmd, "coordinator") == 0 && a && b) {
        err = rd_kafka_mock_coordinator_set(mc, "group", a, atoi(b));
    } else if (strcmp(cmd, "produce") == 0 && a && b) {
        char *mode = strtok_r(NULL, " \t", &save);
        cmd_produce(a, b, mode ? mode : "roundrobin");
        return;
    } else if (strcmp(cmd, "message") == 0 && a && b) {
        const char *text = save ? save : "";
        err = produce_one(a, atoi(b), NULL, 0, text, strlen(text));
        if (!err) err = rd_kafka_flush(rk, 30000);
    } else if (strcmp(cmd, "consume") == 0 && a && b) {
        cmd_consume(a, b);
        return;
    } else if (strcmp(cmd, "watermarks") == 0 && a) {
        cmd_watermarks(a);
        return;
    } else if (strcmp(cmd, "quit") == 0) {
        reply("ok");
        _exit(0);
    } else {
        reply("error unknown command or missing arguments: %s", cmd);
        return;
    }
    if (err) reply("error %s", rd_kafka_err2str(err));
    else reply("ok");
}

int main(int argc, char **argv) {
    int brokers = argc > 1 ? atoi(argv[1]) : 3;
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "linger.ms", "5", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        fprintf(stderr, "monitor-kafka-mock: %s\n", errstr);
        return 1;
    }
    mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) {
        fprintf(stderr, "monitor-kafka-mock: cannot create the mock cluster\n");
        return 1;
    }
    // The producer talks to its own cluster.
    rd_kafka_brokers_add(rk, rd_kafka_mock_cluster_bootstraps(mc));
    reply("bootstrap %s", rd_kafka_mock_cluster_bootstraps(mc));
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, stdin)) > 0) {
        if (line[got - 1] == '\n') line[got - 1] = 0;
        handle(line);
        rd_kafka_poll(rk, 0);
    }
    free(line);
    // End of input: the test is gone. Exit without tearing the cluster down (its teardown
    // makes the producer log connection errors for brokers that no longer exist).
    _exit(0);
}
