//! Word wrap by measured width, for runs of regular and bold text.
//!
//! Lines break at spaces; a line feed forces a break; a word wider than the whole line is cut
//! between characters rather than overflowing the margin. Runs of spaces collapse to one, as
//! they would in any typeset text.

use crate::report::fonts::{FontStyle, Fonts};

/// A stretch of one face within a line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    /// Offset from the start of the line.
    pub x: f32,
    /// Face.
    pub style: FontStyle,
    /// Text, spaces between words included.
    pub text: String,
}

/// One wrapped line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// Runs, left to right.
    pub runs: Vec<Run>,
    /// Measured width.
    pub width: f32,
}

impl Line {
    /// The line's text.
    pub(crate) fn text(&self) -> String {
        self.runs.iter().map(|r| r.text.as_str()).collect()
    }
}

/// A word: fragments with no space between them, possibly in different faces.
#[derive(Debug, Clone, Default)]
struct Word {
    parts: Vec<(String, FontStyle)>,
    width: f32,
}

impl Word {
    fn push(&mut self, ch: char, style: FontStyle) {
        match self.parts.last_mut() {
            Some((text, s)) if *s == style => text.push(ch),
            _ => self.parts.push((ch.to_string(), style)),
        }
    }

    fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

enum Token {
    Word(Word),
    Break,
}

fn tokenize(fonts: &Fonts, spans: &[(&str, FontStyle)], size: f32) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word = Word::default();
    let finish = |word: &mut Word, tokens: &mut Vec<Token>| {
        if !word.is_empty() {
            word.width = word
                .parts
                .iter()
                .map(|(t, s)| fonts.width(t, *s, size))
                .sum();
            tokens.push(Token::Word(std::mem::take(word)));
        }
    };
    for &(text, style) in spans {
        for ch in text.chars() {
            match ch {
                ' ' | '\t' => finish(&mut word, &mut tokens),
                '\n' => {
                    finish(&mut word, &mut tokens);
                    tokens.push(Token::Break);
                }
                c if c.is_control() => {}
                c => word.push(c, style),
            }
        }
    }
    finish(&mut word, &mut tokens);
    tokens
}

/// Cuts a word wider than `width` into pieces that each fit (at least one character each).
fn split_word(fonts: &Fonts, word: Word, size: f32, width: f32) -> Vec<Word> {
    let mut pieces = Vec::new();
    let mut piece = Word::default();
    for (text, style) in word.parts {
        for ch in text.chars() {
            let w = fonts.width(ch.encode_utf8(&mut [0; 4]), style, size);
            if !piece.is_empty() && piece.width + w > width {
                pieces.push(std::mem::take(&mut piece));
            }
            piece.push(ch, style);
            piece.width += w;
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

fn to_line(fonts: &Fonts, words: &[Word], size: f32) -> Line {
    let mut runs: Vec<Run> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        for (j, (text, style)) in word.parts.iter().enumerate() {
            let lead = if i > 0 && j == 0 { " " } else { "" };
            match runs.last_mut() {
                Some(run) if run.style == *style => {
                    run.text.push_str(lead);
                    run.text.push_str(text);
                }
                Some(run) => {
                    // The space between words stays with the run before it.
                    run.text.push_str(lead);
                    runs.push(Run {
                        x: 0.0,
                        style: *style,
                        text: text.clone(),
                    });
                }
                None => runs.push(Run {
                    x: 0.0,
                    style: *style,
                    text: text.clone(),
                }),
            }
        }
    }
    let mut x = 0.0;
    for run in &mut runs {
        run.x = x;
        x += fonts.width(&run.text, run.style, size);
    }
    Line { runs, width: x }
}

/// Wraps `spans` (text and face) at `size` points into lines no wider than `width` (a single
/// character wider than `width` still gets a line of its own).
pub(crate) fn wrap(fonts: &Fonts, spans: &[(&str, FontStyle)], size: f32, width: f32) -> Vec<Line> {
    let space = fonts.width(" ", FontStyle::Regular, size);
    let mut lines = Vec::new();
    let mut current: Vec<Word> = Vec::new();
    let mut current_width = 0.0;
    for token in tokenize(fonts, spans, size) {
        let word = match token {
            Token::Break => {
                lines.push(to_line(fonts, &current, size));
                current.clear();
                current_width = 0.0;
                continue;
            }
            Token::Word(word) => word,
        };
        let pieces = if word.width > width {
            split_word(fonts, word, size, width)
        } else {
            vec![word]
        };
        for piece in pieces {
            let added = if current.is_empty() {
                piece.width
            } else {
                space + piece.width
            };
            if !current.is_empty() && current_width + added > width {
                lines.push(to_line(fonts, &current, size));
                current.clear();
                current_width = piece.width;
            } else {
                current_width += added;
            }
            current.push(piece);
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(to_line(fonts, &current, size));
    }
    lines
}

/// Wraps plain text in one face; returns the lines' text.
pub(crate) fn wrap_plain(
    fonts: &Fonts,
    text: &str,
    style: FontStyle,
    size: f32,
    width: f32,
) -> Vec<String> {
    wrap(fonts, &[(text, style)], size, width)
        .iter()
        .map(Line::text)
        .collect()
}

/// `text` shortened with `…` to fit `width`; unchanged when it fits.
pub(crate) fn ellipsize(
    fonts: &Fonts,
    text: &str,
    style: FontStyle,
    size: f32,
    width: f32,
) -> String {
    if fonts.width(text, style, size) <= width {
        return text.to_owned();
    }
    let ellipsis = fonts.width("…", style, size);
    let mut kept = String::new();
    let mut used = ellipsis;
    for ch in text.chars() {
        let w = fonts.width(ch.encode_utf8(&mut [0; 4]), style, size);
        if used + w > width {
            break;
        }
        kept.push(ch);
        used += w;
    }
    let kept = kept.trim_end();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use FontStyle::{Bold, Regular};

    #[test]
    fn lines_stay_within_the_width_and_keep_every_word() {
        let fonts = Fonts::load().unwrap();
        let text = "Loaded cost per accepted result adds grading, escalation, operations and \
                    invoice deltas to the token bill before dividing by accepted outputs.";
        let lines = wrap(&fonts, &[(text, Regular)], 10.0, 150.0);
        assert!(lines.len() >= 3, "{} lines", lines.len());
        for line in &lines {
            assert!(line.width <= 150.0 + 1e-3, "{} > 150", line.width);
            assert!((line.width - fonts.width(&line.text(), Regular, 10.0)).abs() < 1e-3);
        }
        let joined: Vec<String> = lines.iter().map(Line::text).collect();
        assert_eq!(
            joined.join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn bold_runs_keep_their_face_and_offsets() {
        let fonts = Fonts::load().unwrap();
        let lines = wrap(
            &fonts,
            &[("Recommended: ", Bold), ("route B", Regular), (".", Bold)],
            10.0,
            500.0,
        );
        assert_eq!(lines.len(), 1);
        let runs = &lines[0].runs;
        assert_eq!(runs.len(), 3);
        assert_eq!(runs[0].text, "Recommended: ");
        assert_eq!(runs[1].text, "route B");
        assert_eq!(runs[2].text, ".");
        let bold_width = fonts.width("Recommended: ", Bold, 10.0);
        assert!((runs[1].x - bold_width).abs() < 1e-3);
    }

    #[test]
    fn line_feeds_force_breaks_and_long_words_are_cut() {
        let fonts = Fonts::load().unwrap();
        assert_eq!(
            wrap_plain(&fonts, "one\ntwo", Regular, 10.0, 500.0),
            vec!["one", "two"]
        );
        let long = "a".repeat(200);
        let lines = wrap_plain(&fonts, &long, Regular, 10.0, 100.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), long);
        for l in &lines {
            assert!(fonts.width(l, Regular, 10.0) <= 100.0 + 1e-3);
        }
        // Empty text still yields one (empty) line, so a blank cell has a height.
        assert_eq!(wrap_plain(&fonts, "", Regular, 10.0, 100.0), vec![""]);
        // A width smaller than one character still makes progress.
        assert_eq!(wrap_plain(&fonts, "ab", Regular, 10.0, 0.5), vec!["a", "b"]);
    }

    #[test]
    fn ellipsize_shortens_only_when_needed() {
        let fonts = Fonts::load().unwrap();
        assert_eq!(ellipsize(&fonts, "short", Regular, 10.0, 200.0), "short");
        let cut = ellipsize(&fonts, "a rather long category label", Regular, 10.0, 60.0);
        assert!(cut.ends_with('…'));
        assert!(fonts.width(&cut, Regular, 10.0) <= 60.0 + 1e-3);
        assert_eq!(ellipsize(&fonts, "abc", Regular, 10.0, 1.0), "…");
    }
}
