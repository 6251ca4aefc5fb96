# shellcheck shell=bash disable=SC2034
# Repeat a throughput test settings.repeats times, then again (up to maxRepeats) while the
# samples' relative standard deviation is above rsdThresholdPercent.
[[ -n "${_VPNLENS_REPEAT_SH:-}" ]] && return 0
_VPNLENS_REPEAT_SH=1

# rsd_percent SAMPLES_FILE: sample standard deviation / mean * 100 of .bitsPerSecond over
# a JSON array of samples; 0 with fewer than two samples or a zero mean.
rsd_percent() {
  jq -r 'map(.bitsPerSecond) as $v
    | if ($v | length) < 2 then 0
      else ($v | add / length) as $m
        | if $m == 0 then 0
          else (($v | map(pow(. - $m; 2)) | add) / (($v | length) - 1) | sqrt) / $m * 100
          end
      end
    | . * 100 | round / 100' "$1"
}

# needs_another_run DONE REPEATS MAX_REPEATS RSD THRESHOLD
needs_another_run() {
  local done=$1 repeats=$2 max=$3 rsd=$4 threshold=$5
  ((done < repeats)) && return 0
  ((done >= max)) && return 1
  awk -v r="$rsd" -v t="$threshold" 'BEGIN { exit !(r > t) }'
}

# repeat_until_stable SAMPLES_FILE REPEATS MAX_REPEATS THRESHOLD COMMAND [ARGS...]
# COMMAND N runs the Nth test and writes its sample to $REPEAT_SAMPLE_FILE; each sample is
# appended to the JSON array in SAMPLES_FILE as soon as it exists, so a later failure keeps
# the earlier ones. Sets REPEAT_COUNT and REPEAT_RSD; returns COMMAND's failure.
repeat_until_stable() {
  local samples=$1 repeats=$2 max=$3 threshold=$4
  shift 4
  local n=0 rsd=0
  [[ -s "$samples" ]] || echo '[]' >"$samples"
  ((max < repeats)) && max=$repeats
  REPEAT_SAMPLE_FILE="$samples.next"
  while needs_another_run "$n" "$repeats" "$max" "$rsd" "$threshold"; do
    n=$((n + 1))
    rm -f "$REPEAT_SAMPLE_FILE"
    "$@" "$n" || {
      REPEAT_COUNT=$((n - 1)) REPEAT_RSD=$rsd
      return 1
    }
    jq -c --slurpfile s "$REPEAT_SAMPLE_FILE" '. + $s' "$samples" >"$samples.tmp"
    mv -f "$samples.tmp" "$samples"
    rsd=$(rsd_percent "$samples")
    log_info "run $n done: RSD ${rsd} % over $n sample(s)"
  done
  REPEAT_COUNT=$n REPEAT_RSD=$rsd
}
