package testenv

import (
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// AMQP returns the broker URL and a unique name prefix for the test's
// exchanges and queues (skipping, or failing under CI, without a broker).
// Delete what the test declared with DeleteAMQP.
func AMQP(t testing.TB) (url, prefix string) {
	t.Helper()
	url = Require(t, AMQPURLEnv)
	conn, err := amqp.Dial(url)
	if err != nil {
		Unavailable(t, "amqp: "+err.Error())
	}
	conn.Close()
	return url, Name("t")
}

// DeleteAMQP registers a cleanup that deletes the named queues and exchanges
// when the test ends; names is called then, so it can report what was
// declared during the test.
func DeleteAMQP(t testing.TB, url string, names func() (queues, exchanges []string)) {
	t.Helper()
	t.Cleanup(func() {
		queues, exchanges := names()
		conn, err := amqp.DialConfig(url, amqp.Config{Dial: amqp.DefaultDial(10 * time.Second)})
		if err != nil {
			t.Logf("testenv: amqp cleanup: %v", err)
			return
		}
		defer conn.Close()
		for _, q := range queues {
			// A failed delete closes the channel, so one channel per name.
			if ch, err := conn.Channel(); err == nil {
				if _, err := ch.QueueDelete(q, false, false, false); err != nil {
					t.Logf("testenv: delete queue %s: %v", q, err)
				}
				ch.Close()
			}
		}
		for _, x := range exchanges {
			if ch, err := conn.Channel(); err == nil {
				if err := ch.ExchangeDelete(x, false, false); err != nil {
					t.Logf("testenv: delete exchange %s: %v", x, err)
				}
				ch.Close()
			}
		}
	})
}
