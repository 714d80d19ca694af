//! What every page of the server shares: escaping, the document shell with its
//! security headers' partner (the stylesheet is served from here, never a CDN), and
//! QR codes drawn as inline SVG.

use qrcode::QrCode;
use qrcode::render::svg;

/// The page's stylesheet (screen, 360 px and up, and print on A4).
pub const STYLESHEET: &str = include_str!("page.css");

/// The content security policy of the frontline pages: nothing but this server, no
/// script at all (the page works without one), forms only to this server.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

/// `text` safe inside HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A whole Japanese HTML document around `body`, its skip link to the search box.
pub fn page_shell(title: &str, body: &str) -> String {
    document(title, ("q", "検索へ移動"), body)
}

/// A whole Japanese HTML document around `body`; the first thing a keyboard reaches
/// is a link that skips to the element with id `skip.0`, labelled `skip.1`. The icon
/// is empty on purpose: without one a browser asks for /favicon.ico and logs a 404.
pub fn document(title: &str, skip: (&str, &str), body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"/page.css\">\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#{}\">{}</a>\n{body}\n</body>\n</html>\n",
        escape(title),
        escape(skip.0),
        escape(skip.1)
    )
}

/// A QR code of `text` as an inline SVG element (a phone's camera reads `tel:` and
/// web addresses); empty when the text is too long for a code.
pub fn qr_svg(text: &str) -> String {
    let Ok(code) = QrCode::new(text.as_bytes()) else { return String::new() };
    let image = code.render::<svg::Color>().min_dimensions(120, 120).quiet_zone(true).build();
    // The renderer writes an XML declaration; inside HTML only the <svg> element goes.
    let svg = image.find("<svg").map_or(image.as_str(), |at| &image[at..]);
    svg.replacen("<svg", &format!("<svg role=\"img\" aria-label=\"{}\"", escape(text)), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_break_out_of_html() {
        assert_eq!(
            escape(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn a_qr_code_is_an_inline_svg_named_by_its_text() {
        let svg = qr_svg("tel:0336472311");
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"tel:0336472311\""), "{}", &svg[..80.min(svg.len())]);
        assert!(svg.contains("<path") || svg.contains("<rect"));
    }
}
