-- wrk script for bench/pulse_submissions.py: one token a request.
-- Arguments: the tokens file, the body file, the thread count, the method and
-- the path (POST /api/pulse/responses/, or the floor's URLs of bench/floor.py).
-- Every request takes the next token of its thread's share (thread k of T
-- uses tokens k, k+T, k+2T, ...), so no token is sent twice until the list
-- runs out; after that they wrap and the repeats get 409.

tokens = {}
counter = 0
id = 0
nthreads = 1
statuses = {}
local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   for line in io.lines(args[1]) do
      if #line > 0 then tokens[#tokens + 1] = line end
   end
   local file = io.open(args[2], "r")
   body = file:read("*a")
   file:close()
   nthreads = tonumber(args[3])
   method = args[4]
   path = args[5]
   if method == "GET" then body = nil end
end

function request()
   local index = id + counter * nthreads
   counter = counter + 1
   local token = tokens[(index % #tokens) + 1]
   return wrk.format(method, path, {
      ["Authorization"] = "Token " .. token,
      ["Content-Type"] = "application/json",
   }, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local totals, issued = {}, 0
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         totals[status] = (totals[status] or 0) + n
      end
      issued = issued + thread:get("counter")
   end
   local parts = {}
   for status, n in pairs(totals) do
      parts[#parts + 1] = string.format('"%d": %d', status, n)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"duration_us": %.0f, "requests": %.0f, "issued": %.0f, ' ..
      '"p50_us": %.0f, "p90_us": %.0f, "p95_us": %.0f, "p99_us": %.0f, "mean_us": %.0f, ' ..
      '"socket_errors": %.0f, "statuses": {%s}}\n',
      summary.duration, summary.requests, issued,
      latency:percentile(50), latency:percentile(90), latency:percentile(95),
      latency:percentile(99), latency.mean,
      e.connect + e.read + e.write + e.timeout, table.concat(parts, ", ")))
end
