-- wrk script: POST the file named by $BODY with the Content-Type $TYPE on every request.
local file = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = os.getenv("TYPE")
