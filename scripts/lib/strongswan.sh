# shellcheck shell=bash
# strongSwan's settings for a charon-systemd of the project's own, the node's ipsec driver and
# the lab's endpoint alike: nothing read from /etc, its own control socket, the journal off and
# its log in a file of ours, flushed per line.
[[ -n "${_VPNLENS_STRONGSWAN_SH:-}" ]] && return 0
_VPNLENS_STRONGSWAN_SH=1

# strongswan_conf PLUGINS VICI_SOCKET LOG_FILE SWANCTL_PLUGINS: prints a strongswan.conf.
strongswan_conf() {
  cat <<EOF
charon-systemd {
  load = $1
  install_routes = yes
  plugins {
    vici {
      socket = unix://$2
    }
  }
  journal {
    default = -1
  }
  filelog {
    charon {
      path = $3
      append = yes
      flush_line = yes
      time_format = %T
      default = 1
    }
  }
}
swanctl {
  load = $4
}
EOF
}
