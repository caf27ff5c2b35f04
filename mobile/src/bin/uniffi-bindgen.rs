//! UniFFI's generator, pinned with the crate: `uniffi-bindgen generate --library …`.
fn main() {
    uniffi::uniffi_bindgen_main()
}
