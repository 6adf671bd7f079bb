-- wrk script: GET /tasks/{id} for ids picked at random from the file given after "--" (one id per line).
local ids = {}

function init(args)
    for line in io.lines(args[1]) do
        ids[#ids + 1] = line
    end
    math.randomseed(os.time())
end

function request()
    return wrk.format("GET", "/tasks/" .. ids[math.random(#ids)])
end
