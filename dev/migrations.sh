#!/usr/bin/env bash
# EF Core migrations for both database providers, kept in step: every model change gets one migration
# for SQLite (Persistence/Migrations) and one for PostgreSQL (Persistence/Postgres/Migrations).
#
#   dev/migrations.sh add <Name>   add migration <Name> for both providers
#   dev/migrations.sh remove       remove the last migration of both providers (not yet applied anywhere)
#   dev/migrations.sh check        fail when the model has changes that no migration holds, on either provider
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

readonly WEB_PROJECT="$REPO_DIR/VPNLens.Web"
# context|output directory (its namespace follows the folder), one line per provider
readonly PROVIDERS=(
  "AppDbContext|Persistence/Migrations"
  "PostgresAppDbContext|Persistence/Postgres/Migrations"
)

usage() {
  sed -n '2,/^set -Eeuo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

is_valid_migration_name() { [[ "$1" =~ ^[A-Z][A-Za-z0-9]*$ ]]; }

validate_migration_name() {
  is_valid_migration_name "${1:-}" || die "a migration name is a C# identifier in PascalCase (e.g. AddNodeEndpoint), not '${1:-}'"
}

dotnet_ef() {
  (cd "$REPO_DIR" && dotnet tool restore >/dev/null && dotnet ef "$@" --project "$WEB_PROJECT")
}

add_migrations() {
  local name=$1 entry context output
  validate_migration_name "$name"
  dotnet build "$WEB_PROJECT" -c Debug --nologo -v quiet >/dev/null
  for entry in "${PROVIDERS[@]}"; do
    IFS='|' read -r context output <<<"$entry"
    log_info "adding $name for $context in $output"
    dotnet_ef migrations add "$name" --no-build --context "$context" --output-dir "$output"
  done
}

remove_migrations() {
  local entry context output
  dotnet build "$WEB_PROJECT" -c Debug --nologo -v quiet >/dev/null
  for entry in "${PROVIDERS[@]}"; do
    IFS='|' read -r context output <<<"$entry"
    log_info "removing the last migration of $context"
    dotnet_ef migrations remove --no-build --context "$context" --force
  done
}

check_migrations() {
  local entry context output failed=0
  dotnet build "$WEB_PROJECT" -c Debug --nologo -v quiet >/dev/null
  for entry in "${PROVIDERS[@]}"; do
    IFS='|' read -r context output <<<"$entry"
    if dotnet_ef migrations has-pending-model-changes --no-build --context "$context" >/dev/null; then
      log_info "$context: every model change has its migration"
    else
      log_error "$context: the model has changes without a migration; run dev/migrations.sh add <Name>"
      failed=1
    fi
  done
  return "$failed"
}

main() {
  local command=${1:-}
  case "$command" in
    add)
      [[ $# -eq 2 ]] || die "usage: dev/migrations.sh add <Name>"
      add_migrations "$2"
      ;;
    remove) remove_migrations ;;
    check) check_migrations ;;
    -h | --help | help | "") usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
