-- POST /v1/admin/projects/<BENCH_PROJECT>/config, cycling over the project's
-- BENCH_KEYS keys key0, key1, ... (each an update of an existing key).
local counter = 0
local keys = tonumber(os.getenv("BENCH_KEYS") or "20")

request = function()
  counter = counter + 1
  local body = '{"key": "key' .. (counter % keys) .. '", "value": "value ' .. counter .. '"}'
  return wrk.format("POST", "/v1/admin/projects/" .. os.getenv("BENCH_PROJECT") .. "/config", nil, body)
end
