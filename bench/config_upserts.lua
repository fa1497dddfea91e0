-- POST /v1/admin/projects/<BENCH_PROJECT>/config, cycling over 20 keys.
local counter = 0

request = function()
  counter = counter + 1
  local body = '{"key": "key' .. (counter % 20) .. '", "value": "value ' .. counter .. '"}'
  return wrk.format("POST", "/v1/admin/projects/" .. os.getenv("BENCH_PROJECT") .. "/config", nil, body)
end
