-- GET /v1/client/config with a distinct user_id per request (percentage
-- rollouts are evaluated for each), for ambit and nginx alike.
local counter = 0
local tid = 0
local threads = 0

setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

request = function()
  counter = counter + 1
  return wrk.format("GET", "/v1/client/config?platform=ios&app_version=2.3.0&country=DE&user_id=user-"
    .. tid .. "-" .. counter)
end
