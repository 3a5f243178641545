package scenarios

import (
	"html"
	"net"
	"strings"
)

// fill puts the details of this request into one of the pages below. The
// pages are abridged from the real ones, keeping what a reader, or probe's
// classifier, recognises them by: titles, error codes, the ray id line.
func (c *call) fill(page, ray string) []byte {
	ip, _, err := net.SplitHostPort(c.r.RemoteAddr)
	if err != nil {
		ip = c.r.RemoteAddr
	}
	return []byte(strings.NewReplacer(
		"{{ray}}", ray,
		"{{host}}", c.api.wire.host,
		"{{probepath}}", c.api.wire.probePath,
		"{{time}}", c.api.now().UTC().Format("2006-01-02 15:04:05 UTC"),
		"{{ip}}", html.EscapeString(ip),
		"{{url}}", html.EscapeString(c.r.Host+c.r.URL.Path),
	).Replace(page))
}

// edgeIPRestrictedPage is Cloudflare's error 1034, sent when the client
// reaches an edge IP address the site is not served from.
const edgeIPRestrictedPage = `<!DOCTYPE html>
<html class="no-js" lang="en-US">
<head>
<title>Edge IP Restricted | {{host}} | Cloudflare</title>
<meta charset="UTF-8" />
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta http-equiv="X-UA-Compatible" content="IE=Edge" />
<meta name="robots" content="noindex, nofollow" />
<meta name="viewport" content="width=device-width,initial-scale=1" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/main.css" />
</head>
<body>
<div id="cf-wrapper">
  <div id="cf-error-details" class="p-0">
    <header class="mx-auto pt-10 lg:pt-6 lg:px-8 w-240 lg:w-full mb-8">
      <h1 class="inline-block sm:block sm:mb-2 font-light text-60 lg:text-4xl text-black-dark leading-tight mr-2">
        <span class="inline-block">Edge IP Restricted</span>
      </h1>
      <span class="inline-block">Error 1034</span>
      <span class="cf-footer-item">Ray ID: {{ray}} &bull; {{time}}</span>
    </header>
    <section class="w-240 lg:w-full mx-auto mb-8 lg:px-8">
      <div id="what-happened-section" class="w-1/2 md:w-full">
        <h2 class="text-3xl leading-tight font-normal mb-4 text-black-dark antialiased">What happened?</h2>
        <p>You've requested a page on a website ({{host}}) that is on the <a href="https://www.cloudflare.com/5xx-error-landing/" target="_blank">Cloudflare</a> network. The host is configured to not serve traffic on the Cloudflare edge IP address you reached.</p>
      </div>
      <div id="resolution-copy-section" class="w-1/2 mt-6 text-15 leading-normal">
        <h2 class="text-3xl leading-tight font-normal mb-4 text-black-dark antialiased">What can I do?</h2>
        <p>If you are the owner of this website, you should check your DNS settings. If you are a visitor, your network, DNS resolver or region may route you to an edge that does not serve this site.</p>
      </div>
    </section>
    <div class="cf-error-footer cf-wrapper w-240 lg:w-full py-10 sm:py-4 sm:px-8 mx-auto text-center sm:text-left border-solid border-0 border-t border-gray-300">
      <p class="text-13">
        <span class="cf-footer-item sm:block sm:mb-1">Cloudflare Ray ID: {{ray}}</span>
        <span class="cf-footer-separator sm:hidden">&bull;</span>
        <span id="cf-footer-item-ip" class="cf-footer-item sm:block sm:mb-1">Your IP: {{ip}}</span>
        <span class="cf-footer-separator sm:hidden">&bull;</span>
        <span class="cf-footer-item sm:block sm:mb-1"><span>Performance &amp; security by</span> <a rel="noopener noreferrer" href="https://www.cloudflare.com/5xx-error-landing" id="brand_link" target="_blank">Cloudflare</a></span>
      </p>
    </div>
  </div>
</div>
</body>
</html>
`

// cloudflareBlockPage is what Cloudflare's WAF sends when a rule blocks the
// client.
const cloudflareBlockPage = `<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<!--[if gt IE 8]><!--> <html class="no-js" lang="en-US"> <!--<![endif]-->
<head>
<title>Attention Required! | Cloudflare</title>
<meta charset="UTF-8" />
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta http-equiv="X-UA-Compatible" content="IE=Edge" />
<meta name="robots" content="noindex, nofollow" />
<meta name="viewport" content="width=device-width,initial-scale=1" />
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/cf.errors.css" />
</head>
<body>
  <div id="cf-wrapper">
    <div id="cf-error-details" class="cf-error-details-wrapper">
      <div class="cf-wrapper cf-header cf-error-overview">
        <h1 data-translate="block_headline">Sorry, you have been blocked</h1>
        <h2 class="cf-subheadline"><span data-translate="unable_to_access">You are unable to access</span> {{host}}</h2>
      </div>
      <div class="cf-section cf-wrapper">
        <div class="cf-columns two">
          <div class="cf-column">
            <h2 data-translate="blocked_why_headline">Why have I been blocked?</h2>
            <p data-translate="blocked_why_detail">This website is using a security service to protect itself from online attacks. The action you just performed triggered the security solution. There are several actions that could trigger this block including submitting a certain word or phrase, a SQL command or malformed data.</p>
          </div>
          <div class="cf-column">
            <h2 data-translate="blocked_resolve_headline">What can I do to resolve this?</h2>
            <p data-translate="blocked_resolve_detail">You can email the site owner to let them know you were blocked. Please include what you were doing when this page came up and the Cloudflare Ray ID found at the bottom of this page.</p>
          </div>
        </div>
      </div>
      <div class="cf-error-footer cf-wrapper w-240 lg:w-full py-10 sm:py-4 sm:px-8 mx-auto text-center sm:text-left border-solid border-0 border-t border-gray-300">
        <p class="text-13">
          <span class="cf-footer-item sm:block sm:mb-1">Cloudflare Ray ID: {{ray}}</span>
          <span class="cf-footer-separator sm:hidden">&bull;</span>
          <span id="cf-footer-item-ip" class="cf-footer-item sm:block sm:mb-1">Your IP: {{ip}}</span>
          <span class="cf-footer-separator sm:hidden">&bull;</span>
          <span class="cf-footer-item sm:block sm:mb-1"><span>Performance &amp; security by</span> <a rel="noopener noreferrer" href="https://www.cloudflare.com/5xx-error-landing" id="brand_link" target="_blank">Cloudflare</a></span>
        </p>
      </div>
    </div>
  </div>
</body>
</html>
`

// challengePage is Cloudflare's managed challenge: a page that wants a
// browser to run JavaScript, which an API client never will.
const challengePage = `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta http-equiv="X-UA-Compatible" content="IE=Edge"><meta name="robots" content="noindex,nofollow"><meta name="viewport" content="width=device-width,initial-scale=1"><style>*{box-sizing:border-box;margin:0;padding:0}html{line-height:1.15;-webkit-text-size-adjust:100%;color:#313131;font-family:system-ui,-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}body{display:flex;flex-direction:column;height:100vh;min-height:100vh}.main-content{margin:8rem auto;max-width:60rem;padding-left:1.5rem}</style><meta http-equiv="refresh" content="390"></head><body class="no-js"><div class="main-wrapper" role="main"><div class="main-content"><noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></noscript></div></div><script>(function(){window._cf_chl_opt={cvId: '3',cZone: "{{host}}",cType: 'managed',cRay: '{{ray}}',cH: 'simulated',cUPMDTk: "{{probepath}}?__cf_chl_tk=simulated",cFPWv: 'b',cITimeS: '0',cTplV: 5,cTplB: 'cf',cK: "",fa: "{{probepath}}?__cf_chl_f_tk=simulated",md: "simulated",mdrd: "simulated"};var cpo = document.createElement('script');cpo.src = '/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray={{ray}}';window._cf_chl_opt.cOgUHash = location.hash === '' && location.href.indexOf('#') !== -1 ? '#' : location.hash;window._cf_chl_opt.cOgUQuery = location.search === '' && location.href.slice(0, location.href.length - window._cf_chl_opt.cOgUHash.length).indexOf('?') !== -1 ? '?' : location.search;document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>`

// zscalerPage is a corporate proxy's block page, here Zscaler's, sent when
// the company's policy does not allow the destination.
const zscalerPage = `<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>Website blocked</title>
<style>body{font-family:Arial,Helvetica,sans-serif;font-size:13px;margin:0}#header{background:#0066a1;color:#fff;padding:12px 20px;font-size:16px}#content{padding:20px}</style>
</head>
<body>
<div id="header">Internet Security by Zscaler</div>
<div id="content">
<h1>Website blocked</h1>
<p>Not allowed to browse Generative AI category</p>
<p>You tried to visit:<br><b>{{url}}</b></p>
<p>Your organization has selected Zscaler to protect you from internet threats.</p>
<p>The Internet site you have attempted to access is prohibited. Your organization's Internet Security policy prohibits access to this site.</p>
<p>If you have questions, please contact your company help desk and provide them with the following information: your IP address {{ip}}, the time {{time}} and the URL above.</p>
</div>
</body>
</html>
`
