/*
 * bench/bench_prometheus.cpp - the cost of recording a request with hotmon
 * beside prometheus-cpp (Debian's prometheus-cpp-dev), the C++ client most
 * services would otherwise link: two clock reads and Histogram::Observe of
 * the duration, into a histogram with the Prometheus clients' default
 * buckets. hotmon: hm_start + hm_end, which read the clock twice too, with a
 * collector on loopback draining. Same run, best of five, 1 and 2 threads
 * (the 2 threads share one histogram, as a service's request threads do).
 *
 * Built by the Makefile only when pkg-config finds prometheus-cpp-core.
 */
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include <zmq.h>

extern "C" {
#include "collector.h"
#include "hotmon.h"
}

namespace {

constexpr int kPairs = 500000;

uint64_t now_ns()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

template <typename F> double per_op(int threads, F body)
{
    std::vector<double> ns(threads);
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; t++)
        ts.emplace_back([&, t] {
            uint64_t t0 = now_ns();
            for (int i = 0; i < kPairs; i++)
                body();
            ns[t] = double(now_ns() - t0) / kPairs;
        });
    double sum = 0;
    for (int t = 0; t < threads; t++) {
        ts[t].join();
        sum += ns[t];
    }
    return sum / threads;
}

} // namespace

int main()
{
    void *ctx = zmq_ctx_new();
    hm_collector_t *coll = nullptr;
    hm_collector_options_t co = {};
    co.bind = "tcp://127.0.0.1:*";
    if (hm_collector_new(ctx, &co, &coll, nullptr) != 0) {
        std::fprintf(stderr, "bench_prometheus: cannot start a collector\n");
        return 1;
    }
    hm_options_t o = {};
    o.endpoint = hm_collector_address(coll);
    hm_client_t *c = nullptr;
    if (hm_open(&o, &c) != 0)
        return 1;
    hm_endpoint_t ep;
    hm_endpoint(c, "bench", &ep);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));

    prometheus::Registry registry;
    auto &family = prometheus::BuildHistogram()
                       .Name("request_duration_seconds")
                       .Help("request latency")
                       .Register(registry);
    auto &hist = family.Add({{"endpoint", "bench"}},
                            prometheus::Histogram::BucketBoundaries{
                                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});

    std::printf("| figure | hotmon | floor or peer | ratio |\n|---|---|---|---|\n");
    for (int threads = 1; threads <= 2; threads++) {
        double best_h = 1e18, best_p = 1e18;
        for (int r = 0; r < 5; r++) {
            double h = per_op(threads, [&] { hm_end(c, hm_start(c, ep), 200); });
            double p = per_op(threads, [&] {
                uint64_t a = now_ns();
                uint64_t b = now_ns();
                hist.Observe(double(b - a) / 1e9);
            });
            best_h = h < best_h ? h : best_h;
            best_p = p < best_p ? p : best_p;
        }
        std::printf("| hm_start+hm_end beside prometheus-cpp, %d thread%s | %.1f ns | "
                    "prometheus-cpp 1.0 (2 clock reads + Histogram::Observe): %.1f ns | %.2fx |\n",
                    threads, threads > 1 ? "s" : "", best_h, best_p, best_h / best_p);
    }
    hm_close(&c);
    hm_collector_destroy(&coll);
    zmq_ctx_term(ctx);
    return 0;
}
