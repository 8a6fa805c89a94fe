//! Copy to the clipboard (web-sys Clipboard API), falling back to selecting
//! the text so the person can copy it themselves.

/// Copies `text`; returns false when the browser refused and the input with
/// id `fallback_input` was selected instead.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn copy_text(text: &str, fallback_input: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(window) = web_sys::window() else { return false };
        let clipboard = window.navigator().clipboard();
        let available = js_sys::Reflect::get(&window.navigator(), &"clipboard".into()).is_ok_and(|v| !v.is_undefined());
        if available && window.is_secure_context() {
            let _ = clipboard.write_text(text);
            return true;
        }
        if let Some(input) = window
            .document()
            .and_then(|d| d.get_element_by_id(fallback_input))
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.select();
            if let Some(document) = window.document().and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok()) {
                return document.exec_command("copy").unwrap_or(false);
            }
        }
        false
    }
    #[cfg(not(feature = "hydrate"))]
    false
}
