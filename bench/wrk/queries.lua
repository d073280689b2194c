-- wrk script of the query benchmark (bench/run.sh). One query kind per run, chosen by BENCH_QUERY:
--   q1     GET /tasks?agent_id=<random agent>&status=completed&limit=50
--   q2a    GET /tasks?limit=50                          (first page, the reference of q2)
--   q2     GET /tasks?limit=50&cursor=<random deep cursor from BENCH_CURSORS, one per line>
--   q3     GET /tasks/<random seeded id>
--   q4     GET /tasks/stats?agent_id=<random agent>
--   q5     GET /tasks?q=<BENCH_TERM>&limit=50
-- Environment: BENCH_N (seeded tasks), BENCH_AGENTS, BENCH_KEY (X-API-Key), BENCH_TERM, BENCH_CURSORS.
-- done() prints one line "BENCH {json}" with counts and latency percentiles in microseconds.
local query = os.getenv("BENCH_QUERY") or "q3"
local n = tonumber(os.getenv("BENCH_N") or "1000000")
local agents = tonumber(os.getenv("BENCH_AGENTS") or "100")
local key = os.getenv("BENCH_KEY") or ""
local term = os.getenv("BENCH_TERM") or "zendesk"
local cursors = {}

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
  local file = os.getenv("BENCH_CURSORS")
  if file and file ~= "" then
    for line in io.lines(file) do
      if line ~= "" then table.insert(cursors, line) end
    end
  end
  wrk.headers["X-API-Key"] = key
  wrk.headers["Accept"] = "application/json"
end

local function escape(s)
  return (string.gsub(s, "[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  local path
  if query == "q1" then
    path = string.format("/tasks?agent_id=agent-%04d&status=completed&limit=50", math.random(0, agents - 1))
  elseif query == "q2a" then
    path = "/tasks?limit=50"
  elseif query == "q2" then
    path = "/tasks?limit=50&cursor=" .. cursors[math.random(1, #cursors)]
  elseif query == "q3" then
    path = string.format("/tasks/seed-%09d", math.random(1, n))
  elseif query == "q4" then
    path = string.format("/tasks/stats?agent_id=agent-%04d", math.random(0, agents - 1))
  elseif query == "q5" then
    path = "/tasks?limit=50&q=" .. escape(term)
  else
    error("unknown BENCH_QUERY " .. query)
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_status": %d, "errors_timeout": %d, "mean_us": %.1f, "p50_us": %d, ' ..
    '"p90_us": %d, "p99_us": %d, "p999_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
