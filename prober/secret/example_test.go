package secret_test

import (
	"fmt"

	"github.com/llm-probe/probe/prober/secret"
)

func Example() {
	proxy := "http://ops:pr0xy-pass-word@proxy.internal:3128"
	s := secret.New(append([]string{"sk-ant-api03-EXAMPLEONLY-0123456789abcdef"}, secret.Passwords(proxy)...)...)
	fmt.Println(s.Scrub("key sk-ant-api03-EXAMPLEONLY-0123456789abcdef is not valid here"))
	fmt.Println(s.Scrub("request id req_EXAMPLEONLY-0123"))
	fmt.Println(secret.RedactURL(proxy))
	fmt.Println(secret.LooksSecretName("X-Credential"), secret.LooksSecretValue("Bearer abc"))
	// Output:
	// key [redacted] is not valid here
	// request id req_[redacted]
	// http://ops:xxxxx@proxy.internal:3128
	// true true
}
