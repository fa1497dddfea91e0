-- GET /v1/client/config with If-None-Match: the ETag of the server on the
-- port being measured (AMBIT_PORT/AMBIT_ETAG, NGINX_PORT/NGINX_ETAG).
local req

init = function(args)
  local etags = {}
  etags[os.getenv("AMBIT_PORT")] = os.getenv("AMBIT_ETAG")
  etags[os.getenv("NGINX_PORT")] = os.getenv("NGINX_ETAG")
  wrk.headers["If-None-Match"] = etags[tostring(wrk.port)]
  req = wrk.format("GET", "/v1/client/config?platform=ios&app_version=2.3.0&country=DE&user_id=fixed-user")
end

request = function()
  return req
end
