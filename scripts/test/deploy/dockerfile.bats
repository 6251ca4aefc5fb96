#!/usr/bin/env bats
# The Dockerfile, structurally (no Docker engine here, and hadolint is not in Debian): its
# instructions are parsed into "stage<TAB>INSTRUCTION<TAB>arguments" lines and checked.
# shellcheck disable=SC2016 # expected strings hold literal ${...} and $NAME

setup() {
  load helpers
}

# instructions [FILE]: one line per instruction, continuation lines joined, comments dropped;
# the stage number counts FROMs (0 = before the first FROM).
instructions() {
  awk '
    BEGIN { stage = 0; OFS = "\t" }
    /^[[:space:]]*#/ && !buf { next }
    /^[[:space:]]*$/ && !buf { next }
    {
      line = $0
      if (line ~ /\\[[:space:]]*$/) { sub(/\\[[:space:]]*$/, "", line); buf = buf line " "; next }
      line = buf line; buf = ""
      sub(/^[[:space:]]+/, "", line)
      split(line, parts, /[[:space:]]+/)
      keyword = toupper(parts[1])
      if (keyword == "FROM") stage++
      args = substr(line, length(parts[1]) + 2)
      gsub(/[[:space:]]+/, " ", args)
      print stage, keyword, args
    }
  ' "${1:-$REPO_DIR/Dockerfile}"
}

from_lines() { instructions "$@" | awk -F'\t' '$2 == "FROM" { print $3 }'; }

last_stage() { instructions "$@" | awk -F'\t' '$2 == "FROM" { n = $1 } END { print n }'; }

# in_final KEYWORD: the final stage's KEYWORD instructions' arguments.
in_final() {
  local stage
  stage=$(last_stage "$REPO_DIR/Dockerfile")
  instructions | awk -F'\t' -v s="$stage" -v k="$1" '$1 == s && $2 == k { print $3 }'
}

@test "BuildKit syntax is declared (cache mounts and COPY --link need it)" {
  run head -n 1 "$REPO_DIR/Dockerfile"
  assert_output "# syntax=docker/dockerfile:1"
}

@test "multi-stage: the .NET 10 SDK builds on the build platform, the ASP.NET runtime runs" {
  run instructions
  assert_line --regexp $'^0\tARG\tDOTNET_VERSION=10\\.0$'
  run from_lines
  assert_line --index 0 '--platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build'
  assert_line --index 1 --regexp '^mcr\.microsoft\.com/dotnet/aspnet:\$\{DOTNET_VERSION\}-noble-chiseled AS runtime$'
  assert_equal "${#lines[@]}" 2
}

@test "the build stage cross-publishes for \$TARGETARCH with -a, so buildx needs no emulation to compile" {
  run instructions
  assert_line --regexp $'^1\tARG\tTARGETARCH$'
  run bash -c "grep -P '^1\tRUN\t' <<<\"\$1\"" _ "$(instructions)"
  assert_output --partial 'dotnet restore VPNLens.Web/VPNLens.Web.csproj -a "$TARGETARCH"'
  assert_output --partial 'dotnet publish VPNLens.Web/VPNLens.Web.csproj -c Release -a "$TARGETARCH" --no-restore'
  assert_output --partial '--mount=type=cache,id=nuget,target=/root/.nuget/packages'
}

@test "the runtime stage only copies files: no RUN, so nothing executes under QEMU" {
  run in_final RUN
  assert_output ""
}

@test "it runs as the image's non-root user" {
  run in_final USER
  assert_output '$APP_UID'
  refute_output --regexp '^(root|0)(:.*)?$'
}

@test "/data is a volume owned by the app user: databases and Data Protection keys live there" {
  run in_final VOLUME
  assert_output '["/data"]'
  run in_final COPY
  assert_line '--link --from=build --chown=1654:1654 /data /data'
  run in_final ENV
  assert_output --partial 'ConnectionStrings__App="Data Source=/data/vpnlens.db"'
  assert_output --partial 'ConnectionStrings__Hangfire=/data/hangfire.db'
  assert_output --partial 'DataProtection__KeysPath=/data/keys'
}

@test "it listens on 8080: EXPOSE and ASPNETCORE_URLS agree" {
  run in_final EXPOSE
  assert_output 8080
  run in_final ENV
  assert_output --partial 'ASPNETCORE_URLS=http://+:8080'
}

@test "the runtime's memory tuning is deploy/runtime.env's, line for line" {
  local pair env
  env=$(in_final ENV | tr "\n" " ")
  while IFS= read -r pair; do
    [[ "$pair" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || continue
    [[ " $env " == *" $pair "* ]] || fail "the runtime stage's ENV lacks $pair (deploy/runtime.env has it)"
  done <"$REPO_DIR/deploy/runtime.env"
  grep -q '^MALLOC_ARENA_MAX=' "$REPO_DIR/deploy/runtime.env"
}

@test "HEALTHCHECK calls /healthz with the bundled probe, in exec form (no shell in the image)" {
  run in_final HEALTHCHECK
  assert_output --regexp '--start-period=[0-9]+s'
  assert_output --partial 'CMD ["dotnet", "/app/healthcheck/VPNLens.HealthCheck.dll", "http://127.0.0.1:8080/healthz"]'
  assert_file_exists "$REPO_DIR/deploy/healthcheck/VPNLens.HealthCheck.csproj"
  run grep -F '"http://127.0.0.1:8080/healthz"' "$REPO_DIR/deploy/healthcheck/Program.cs"
  assert_success
  run grep -F 'dotnet publish deploy/healthcheck/VPNLens.HealthCheck.csproj' "$REPO_DIR/Dockerfile"
  assert_success
}

@test "ENTRYPOINT starts VPNLens.Web.dll in exec form" {
  run in_final ENTRYPOINT
  assert_output '["dotnet", "VPNLens.Web.dll"]'
}

@test "the node scripts go into the image at <app dir>/scripts, without lab/ and test/" {
  run grep -E '^COPY scripts/ scripts/$' "$REPO_DIR/Dockerfile"
  assert_success
  run grep -F 'test -f /app/scripts/run.sh' "$REPO_DIR/Dockerfile"
  assert_success
  run grep -F 'Include="..\scripts\**\*" Exclude="..\scripts\lab\**;..\scripts\test\**" LinkBase="scripts"' "$REPO_DIR/VPNLens.Web/VPNLens.Web.csproj"
  assert_success
  run grep -xE 'scripts/(lab|test)' "$REPO_DIR/.dockerignore"
  assert_line scripts/lab
  assert_line scripts/test
  run grep -xE 'scripts/?\*?|scripts/\*\.sh' "$REPO_DIR/.dockerignore"
  assert_failure
}

@test "everything the Dockerfile copies exists, and .dockerignore keeps secrets and build outputs out" {
  local source
  for source in $(instructions | awk -F'\t' '$2 == "COPY" && $3 !~ /--from=/ { n = split($3, a, " "); for (i = 1; i < n; i++) if (a[i] !~ /^--/) print a[i] }'); do
    # shellcheck disable=SC2086 # a glob such as VPNLens.Web/*.csproj
    compgen -G "$REPO_DIR/$source" >/dev/null || fail "COPY source $source does not exist"
  done
  for pattern in .env '.env.*' .git '**/bin' '**/obj' '**/*.key' '**/id_ed25519*'; do
    grep -qxF -- "$pattern" "$REPO_DIR/.dockerignore" || fail ".dockerignore lacks $pattern"
  done
  # the secrets and outputs come after the one re-inclusion, so nothing re-includes them
  run awk '/^!/ { bang = NR } /^\.env$/ { env = NR } END { exit !(bang < env) }' "$REPO_DIR/.dockerignore"
  assert_success
}

@test "the iperf3 peer image runs as nobody" {
  run last_stage "$REPO_DIR/deploy/iperf3/Dockerfile"
  assert_output 1
  run grep -xF 'USER nobody' "$REPO_DIR/deploy/iperf3/Dockerfile"
  assert_success
}

@test "the iperf3 peers, in the image and in the lab, give up a test whose client vanished within 10 s" {
  run grep -cF 'ENTRYPOINT ["iperf3", "--server", "--port", "5201", "--rcv-timeout", "10000", "--snd-timeout", "10000"]' \
    "$REPO_DIR/deploy/iperf3/Dockerfile"
  assert_output 1
  run grep -cE 'iperf3 -s -p "\$port" --rcv-timeout 10000 --snd-timeout 10000$' "$REPO_DIR/scripts/lab/lib/services.sh"
  assert_output 1
}
