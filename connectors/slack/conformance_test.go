package slack

import (
	"testing"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors"
	"github.com/lullhq/lull/connectors/conformance"
	"github.com/lullhq/lull/connectors/slack/slackfake"
)

func TestConformance(t *testing.T) {
	srv := newWorkspace(t, slackfake.Options{})
	s := seed(srv)
	conformance.Run(t, conformance.Harness{
		Account: acct,
		New: func(t *testing.T) connectors.Connector {
			return newConn(t, srv, nil, testOptions(defaultEnv()))
		},
		Settle:      300 * time.Millisecond,
		MinItems:    len(s.want),
		ExactResume: true,
		Delete: func(t *testing.T, id inbox.ID) {
			channel, ts, err := splitID(id)
			if err != nil {
				t.Fatal(err)
			}
			srv.Delete(channel, ts)
		},
		FailRequests: func(t *testing.T, n int) { srv.FailNext(n) },
		RateLimit:    func(t *testing.T, d time.Duration) { srv.RateLimitNext("", d) },
	})
}
