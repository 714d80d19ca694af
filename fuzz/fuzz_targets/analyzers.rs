//! Any UTF-8 through the Japanese analyzers (IPADIC through lindera, bigrams,
//! readings): tokens whose offsets lie on character boundaries of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yorisoi_search::analysis::{bigram_tokens, morph_tokens, reading_tokens};

fuzz_target!(|text: &str| {
    for tokens in [morph_tokens(text), bigram_tokens(text), reading_tokens(text)] {
        for token in tokens {
            assert!(token.from <= token.to && token.to <= text.len(), "{token:?} in {} bytes", text.len());
            assert!(text.is_char_boundary(token.from) && text.is_char_boundary(token.to), "{token:?}");
        }
    }
});
