// Package check is the layer walk of `probe check`: key, route (DNS, TCP,
// TLS, proxy), models list and one message, each layer settled with
// findings before the next.
//
// It may import every prober package.
package check
