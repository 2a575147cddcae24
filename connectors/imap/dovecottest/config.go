package dovecottest

import (
	"bytes"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"text/template"
)

// configTemplate is a complete Dovecot 2.3 configuration; nothing is read
// from /etc/dovecot.
//
// Notes on the choices:
//   - Maildir++ (the default maildir layout): INBOX is Maildir/ itself and
//     folder "A/B" is Maildir/.A.B, which mbsync can read too.
//   - CONDSTORE, QRESYNC, IDLE, UIDPLUS and MOVE are built in; no plugins.
//   - IDLE push comes from inotify; mailbox_idle_check_interval is only the
//     fallback poll, kept at 1s for file systems without inotify.
//   - mail_fsync = never: test data need not survive a power cut, and it
//     keeps APPEND fast.
//   - stats-writer is world writable so the mail processes (nobody) can
//     report to it instead of logging a permission error per login.
const configTemplate = `# Written by dovecottest; a private test instance.
base_dir = {{.Dir}}/run
state_dir = {{.Dir}}/state
instance_name = dovecottest-{{.Port}}
log_path = {{.Dir}}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login{{if .OAuth}} xoauth2 oauthbearer{{end}}
default_login_user = {{.LoginUser}}
default_internal_user = {{.InternalUser}}
{{- if not .Root}}
default_internal_group = {{.InternalGroup}}
{{- end}}
first_valid_uid = 1
mail_location = maildir:{{.Dir}}/Maildir
mail_fsync = never
mailbox_idle_check_interval = 1 secs

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {{.Dir}}/passwd
}
{{- if .OAuth}}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {{.Dir}}/dovecot-oauth2.conf.ext
}
{{- end}}
userdb {
  driver = passwd-file
  args = username_format=%u {{.Dir}}/passwd
}

namespace inbox {
  inbox = yes
  separator = /
  mailbox Archive {
    special_use = \Archive
    auto = subscribe
  }
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \Drafts
  }
  mailbox Trash {
    special_use = \Trash
  }
  mailbox Junk {
    special_use = \Junk
  }
}

service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = {{.Port}}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
`

var configTmpl = template.Must(template.New("dovecot.conf").Parse(configTemplate))

// writeConfig writes dovecot.conf and the passwd-file for the current port.
func (s *Server) writeConfig() error {
	data := struct {
		Dir, LoginUser, InternalUser, InternalGroup string
		Port, MailUID, MailGID                      int
		Root, OAuth                                 bool
	}{
		Dir: s.Dir, Port: s.Port, Root: s.mailUID >= 0, OAuth: s.oauthURL != "",
		LoginUser: "dovenull", InternalUser: "dovecot",
		MailUID: s.mailUID, MailGID: s.mailGID,
	}
	if !data.Root {
		// Unprivileged: every process runs as us, so name us everywhere.
		u, err := user.Current()
		if err != nil {
			return err
		}
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			return err
		}
		data.LoginUser, data.InternalUser, data.InternalGroup = u.Username, u.Username, g.Name
		data.MailUID, _ = strconv.Atoi(u.Uid)
		data.MailGID, _ = strconv.Atoi(u.Gid)
	}
	var conf bytes.Buffer
	if err := configTmpl.Execute(&conf, data); err != nil {
		return err
	}
	if err := os.WriteFile(s.ConfigPath, conf.Bytes(), 0o644); err != nil {
		return err
	}
	if s.oauthURL != "" {
		ext := fmt.Sprintf("introspection_mode = post\nintrospection_url = %s\nusername_attribute = username\nactive_attribute = active\nactive_value = true\n", s.oauthURL)
		if err := os.WriteFile(filepath.Join(s.Dir, "dovecot-oauth2.conf.ext"), []byte(ext), 0o644); err != nil {
			return err
		}
	}
	// user:password:uid:gid:gecos:home:shell
	passwd := fmt.Sprintf("%s:{PLAIN}%s:%d:%d::%s::\n", s.User, s.Password, data.MailUID, data.MailGID, filepath.Join(s.Dir, "home"))
	return os.WriteFile(filepath.Join(s.Dir, "passwd"), []byte(passwd), 0o644) // read by auth, which runs as the internal user
}
