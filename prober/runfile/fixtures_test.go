package runfile

import "strings"

const testModel = "claude-sonnet-4-5"

// realKey is shaped like a Console API key (sk-ant-api03- and 95 more
// characters); it is made up and unusable.
const realKey = "sk-ant-api03-Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ-_0123456789AbCdEfGhIjKlMnOpxyz9AA"

// secretPart returns what of secret lies past its public prefix: the part
// no output may show. The engine's tests only use realKey's kind of key.
func secretPart(secret string) string { return strings.TrimPrefix(secret, "sk-ant-api03-") }
