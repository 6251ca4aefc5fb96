-- wrk script: every request asks for the permalink page of a run picked at random from the tokens
-- file (one token per line, sampled uniformly from the seeded runs by the seeder).
--   wrk ... -s permalink.lua http://127.0.0.1:PORT -- TOKENS_FILE
local tokens = {}

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      tokens[#tokens + 1] = line
    end
  end
  math.randomseed(os.time() + tonumber(tostring(tokens):match("0x(%x+)") or "0", 16) % 1000)
end

function request()
  return wrk.format("GET", "/r/" .. tokens[math.random(#tokens)])
end
