-- wrk script: GET /tasks/{id} for ids picked at random from the file given after "--" (one id per line).
local ids = {}
-- Every request carries "Authorization: Bearer $TASKS_TOKEN" (loadtest/token-env.sh). Without the variable init()
-- stops wrk (an error at load time would only be printed, and wrk would measure 401s).
local token = os.getenv("TASKS_TOKEN")
local auth

function init(args)
    if not token or token == "" then error("TASKS_TOKEN is not set: source loadtest/token-env.sh first") end
    auth = { ["Authorization"] = "Bearer " .. token }
    for line in io.lines(args[1]) do
        ids[#ids + 1] = line
    end
    math.randomseed(os.time())
end

function request()
    return wrk.format("GET", "/tasks/" .. ids[math.random(#ids)], auth)
end
