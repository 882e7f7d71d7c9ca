// bench/statsd-count-backend.js - a statsd backend for `make bench`: at each
// flush it prints how many metrics statsd received in the interval, as one
// JSON line on stdout, for bench/statsd_peer.h to add up. Our own code;
// statsd itself is installed by npm under build/ (scripts/run-bench.sh).
exports.init = function (startupTime, config, events) {
  events.on('flush', function (timestamp, metrics) {
    const received = metrics.counters['statsd.metrics_received'] || 0;
    process.stdout.write(JSON.stringify({ received: received }) + '\n');
  });
  return true;
};
