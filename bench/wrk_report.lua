-- wrk reporter for bench/run.py: one machine-readable line with the percentiles it needs.

-- With BENCH_PATHS set (paths separated by spaces), requests go round-robin through those
-- paths instead of the URL's (the soak test's mix of pages).
local paths, sent = {}, 0
for path in (os.getenv("BENCH_PATHS") or ""):gmatch("%S+") do paths[#paths + 1] = path end
if #paths > 0 then
  request = function()
    sent = sent + 1
    return wrk.format(nil, paths[sent % #paths + 1])
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
