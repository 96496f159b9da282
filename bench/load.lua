-- The wrk script of bench/load, one wrk process per request kind. Each request is the next path of the file
-- $LOAD_PATHS (one a line, taken in turn), sent with the session cookie $LOAD_COOKIE and Accept: $LOAD_ACCEPT.
-- With $LOAD_THINK_MS above 0, each connection waits that long between a response and its next request (a user
-- reading), otherwise it asks again at once. Answers other than 2xx are counted. At the end, $LOAD_OUT gets
-- "key value" lines: requests, non2xx, the socket errors (connect, read, write, timeout), then "q P MICROS"
-- for P = 0.1 … 100.0 (the latency quantiles wrk recorded), from which bench/load merges the kinds.
local paths = {}
for line in io.lines(os.getenv("LOAD_PATHS")) do
  paths[#paths + 1] = line
end
wrk.headers["Cookie"] = os.getenv("LOAD_COOKIE")
wrk.headers["Accept"] = os.getenv("LOAD_ACCEPT")
local think_ms = tonumber(os.getenv("LOAD_THINK_MS") or "0")
local next_path = 0
non2xx = 0

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end

function response(status)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

if think_ms > 0 then
  function delay()
    return think_ms
  end
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local out = assert(io.open(os.getenv("LOAD_OUT"), "w"))
  local e = summary.errors
  out:write(string.format("requests %d\nnon2xx %d\nconnect %d\nread %d\nwrite %d\ntimeout %d\n",
    summary.requests, bad, e.connect, e.read, e.write, e.timeout))
  for tenth = 1, 1000 do
    out:write(string.format("q %.1f %d\n", tenth / 10, latency:percentile(tenth / 10)))
  end
  out:close()
end
