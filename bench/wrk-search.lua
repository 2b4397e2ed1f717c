-- wrk script: GET /api/search?q=<query> cycling through the query list (facets and snippets
-- are always on in the API). QUERIES=path/to/queries.txt in the environment; each wrk thread
-- starts at a different offset so concurrent clients do not ask the same query in lock-step.
-- done() prints a JSON line with requests/s and latency percentiles (microseconds -> ms).
local queries = {}
local counter = 0

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function load()
  local path = os.getenv("QUERIES") or "bench/queries.txt"
  for line in io.lines(path) do
    line = line:gsub("^%s+", ""):gsub("%s+$", "")
    if line ~= "" and line:sub(1, 1) ~= "#" then
      queries[#queries + 1] = "/api/search?q=" .. urlencode(line) .. (os.getenv("EXTRA_PARAMS") or "")
    end
  end
end

local thread_no = 0
function setup(thread)
  thread:set("offset", thread_no * 7)
  thread_no = thread_no + 1
end

function init(args)
  load()
  counter = offset or 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", queries[(counter % #queries) + 1])
end


function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,"errors":%d,"non2xx_status":%d}\n',
    summary.requests, s, summary.requests / s,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status,
    summary.errors.status))
end
