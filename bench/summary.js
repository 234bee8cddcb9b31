// The side-by-side comparison in one line: for each server, the median over the runs of
// bench/run.sh, and the mock server's ratios to the other two. Usage: node summary.js RESULTS.jsonl
const fs = require('fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const out = { bench: 'side-by-side-summary' };
for (const impl of ['mock', 'node', 'beast']) {
  const mine = rows.filter((r) => r.bench === 'side-by-side' && r.impl === impl);
  const fan = mine.filter((r) => r.mode === 'fanout');
  out[impl] = {
    runs: fan.length,
    deliveries_per_s: median(fan.map((r) => r.deliveries_per_s)),
    server_cpu_us_per_delivery: median(fan.map((r) => r.server_cpu_us_per_op)),
    round_trips_per_s: median(mine.filter((r) => r.mode === 'roundtrip').map((r) => r.round_trips_per_s)),
  };
}
const ratio = (a, b) => (a && b ? Math.round((a / b) * 100) / 100 : null);
out.fanout_mock_to_node = ratio(out.mock.deliveries_per_s, out.node.deliveries_per_s);
out.fanout_mock_to_beast = ratio(out.mock.deliveries_per_s, out.beast.deliveries_per_s);
// CPU per delivery is the server's own cost, whatever the load generator could take.
out.cpu_mock_to_node = ratio(out.node.server_cpu_us_per_delivery, out.mock.server_cpu_us_per_delivery);
out.cpu_mock_to_beast = ratio(out.beast.server_cpu_us_per_delivery, out.mock.server_cpu_us_per_delivery);
console.log(JSON.stringify(out));
