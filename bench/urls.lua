-- wrk script of bench/run: cycles through a list of request paths and counts
-- bad answers.
--
-- BENCH_URLS names a file with one request path a line (e.g.
-- /tiles/durand/12/2808/1673.mvt). Every thread walks the whole list in
-- order, starting at its own offset, so that the threads do not move in
-- step. Every request asks for gzip, as browsers and map clients do.
--
-- An answer other than 2xx or 304 is bad (wrk itself counts only >= 400).
-- done() prints one line that bench/run parses:
--
--   BENCH requests=N duration_us=N bytes=N p50_us=N p99_us=N socket_errors=N bad_status=N timeouts=N
--
-- socket_errors are wrk's connect, read, write and timeout errors; timeouts
-- (requests slower than wrk's --timeout) are also given on their own: they
-- are not in the latency percentiles.

local file = os.getenv("BENCH_URLS")
if not file or file == "" then
  error("BENCH_URLS must name a file of request paths")
end

local paths = {}
for line in io.lines(file) do
  if line ~= "" then
    paths[#paths + 1] = line
  end
end
if #paths == 0 then
  error("no request paths in " .. file)
end

local threads = {}
local nthreads = 0

function setup(thread)
  nthreads = nthreads + 1
  thread:set("thread_index", nthreads)
  threads[#threads + 1] = thread
end

local next_index
bad = 0

function init(args)
  -- thread_index is set by setup() in this thread's state.
  local n = thread_index or 1
  next_index = ((n - 1) * 7919) % #paths + 1
  wrk.headers["Accept-Encoding"] = "gzip"
end

function request()
  local p = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", p)
end

function response(status, headers, body)
  if not ((status >= 200 and status < 300) or status == 304) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local nbad = 0
  for _, t in ipairs(threads) do
    nbad = nbad + (t:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p99_us=%d socket_errors=%d bad_status=%d timeouts=%d\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, nbad, e.timeout))
end
