# shellcheck shell=bash
# SSH: the control plane's client key, one sshd per node (its own host key and
# config, key auth only, VPNLENS_* paths set per node with SetEnv), nodes.json with
# the pinned host-key fingerprints, and helpers to reach a node the same way the
# control plane does.

readonly LAB_SSH_DIR="${LAB_DIR}/ssh"
readonly LAB_SSH_KEY="${LAB_SSH_DIR}/id_ed25519"
readonly LAB_KNOWN_HOSTS="${LAB_SSH_DIR}/known_hosts"
readonly LAB_NODES_JSON="${LAB_DIR}/nodes.json"

ssh_client_key_create() {
  install -d -m 0700 "$LAB_SSH_DIR"
  [[ -f "$LAB_SSH_KEY" ]] && return 0
  run_cmd_fatal ssh-keygen -q -t ed25519 -N '' -C vpnlens-lab-control-plane -f "$LAB_SSH_KEY"
}

node_host_key() { printf '%s/ssh/ssh_host_ed25519_key' "$(node_dir "$1")"; }

# SHA256:base64-without-padding, as ssh-keygen -l prints it.
node_fingerprint() { ssh-keygen -lf "$(node_host_key "$1").pub" | awk '{print $2}'; }

sshd_node_config() {
  local n=$1 dir
  dir=$(node_dir "$n")
  cat <<EOF
# sshd for lab $(node_name "$n"), started by scripts/lab/lab.sh in netns $(node_ns "$n")
Port 22
ListenAddress $(node_ip "$n")
AddressFamily inet
HostKey $(node_host_key "$n")
PidFile none
AuthorizedKeysFile ${dir}/ssh/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
X11Forwarding no
PrintMotd no
ClientAliveInterval 15
SetEnv VPNLENS_HOME=${dir}/home VPNLENS_CONF_DIR=${dir}/conf VPNLENS_STATE_DIR=${dir}/state
Subsystem sftp internal-sftp
EOF
}

# sshd's privilege-separation directory; Debian's package creates it only while
# its own service runs. Created if missing, never removed (the host's sshd wants it).
sshd_privsep_dir() {
  [[ -d /run/sshd ]] || install -d -m 0755 /run/sshd
}

sshd_node_up() {
  local n=$1 dir cfg
  dir=$(node_dir "$n")
  cfg="$dir/ssh/sshd_config"
  install -d -m 0755 "$dir/ssh"
  [[ -f "$(node_host_key "$n")" ]] ||
    run_cmd_fatal ssh-keygen -q -t ed25519 -N '' -C "vpnlens-lab-$(node_name "$n")" -f "$(node_host_key "$n")"
  install -m 0600 "$LAB_SSH_KEY.pub" "$dir/ssh/authorized_keys"
  sshd_node_config "$n" >"$cfg"
  run_cmd_fatal "$LAB_SSHD_BIN" -t -f "$cfg"
  # Its own UTS namespace too, so a session on node N reports hostname nodeN, and a root home
  # of its own, empty as a fresh node's (ip netns exec gives each of its commands a mount
  # namespace): bash reads ~/.bashrc for every command sshd runs, and this machine's is not
  # the node's. unshare (no --fork) and sh's exec keep the recorded pid that of sshd.
  # shellcheck disable=SC2016 # $1 and $@ belong to the inner sh
  lab_spawn "sshd-$(node_name "$n")" "$(node_ns "$n")" unshare --uts -- \
    /bin/sh -c 'mount -t tmpfs -o mode=0700,size=4m lab-root /root && hostname "$1" && shift && exec "$@"' \
    sh "$(node_name "$n")" "$LAB_SSHD_BIN" -D -e -f "$cfg"
}

sshd_listening() { ip netns exec "$(node_ns "$1")" ss -Hltn "sport = :22" | grep -q .; }

sshd_node_wait() {
  wait_until 10 "sshd of $(node_name "$1")" sshd_listening "$1"
}

# known_hosts and nodes.json for N nodes.
ssh_write_nodes_json() {
  local count=$1 n entries=()
  : >"$LAB_KNOWN_HOSTS"
  for ((n = 1; n <= count; n++)); do
    printf '%s %s\n' "$(node_ip "$n")" "$(cut -d' ' -f1,2 "$(node_host_key "$n").pub")" >>"$LAB_KNOWN_HOSTS"
    entries+=("$(jq -n --arg name "$(node_name "$n")" --arg host "$(node_ip "$n")" \
      --arg key "$LAB_SSH_KEY" --arg fp "$(node_fingerprint "$n")" \
      --arg home "$(node_dir "$n")/home" --arg conf "$(node_dir "$n")/conf" \
      --arg state "$(node_dir "$n")/state" --arg ns "$(node_ns "$n")" \
      --arg ep "$(ep_app_name "$(node_ep "$n")")" --arg ep_ns "$(ep_ns "$(node_ep "$n")")" \
      --arg ep_ip "$(ep_ip "$(node_ep "$n")")" \
      '{name: $name, host: $host, port: 22, user: "root", privateKeyPath: $key,
        hostKeyFingerprint: $fp, netns: $ns,
        endpoint: $ep, endpointNetns: $ep_ns, endpointHost: $ep_ip,
        env: {VPNLENS_HOME: $home, VPNLENS_CONF_DIR: $conf, VPNLENS_STATE_DIR: $state}}')")
  done
  printf '%s\n' "${entries[@]}" | jq -s --arg cb "http://$LAB_GW_IP:5080" --arg kh "$LAB_KNOWN_HOSTS" \
    '{callbackBaseUrl: $cb, knownHostsPath: $kh, nodes: .}' >"$LAB_NODES_JSON"
}

# The ssh options the lab uses: its key, its pinned host keys, nothing from ~/.ssh.
lab_ssh_opts() {
  printf '%s\n' -F none -i "$LAB_SSH_KEY" -o IdentitiesOnly=yes -o BatchMode=yes \
    -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$LAB_KNOWN_HOSTS" \
    -o ConnectTimeout=5 -o LogLevel=ERROR
}

# lab_ssh N [CMD...]: ssh to node N as root, as the control plane would.
lab_ssh() {
  local n=$1 opts
  shift
  mapfile -t opts < <(lab_ssh_opts)
  # shellcheck disable=SC2029 # the command is meant to run on the node
  ssh "${opts[@]}" "root@$(node_ip "$n")" "$@"
}
