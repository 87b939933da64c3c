package dev.pictor.datasets.shapes;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Training-caption paraphrases: the same meaning in other words ("beneath" for "below", "in the middle" for "in
 * the center", "a drawing of" as a prefix…), so text encoders learn meanings rather than one template. Prompts
 * stay in the grammar; only training captions are paraphrased, each about half the time.
 *
 * <pre>{@code
 * Paraphrases.paraphrase("a red circle below a blue square", random);  // e.g. "a red circle beneath a blue square"
 * }</pre>
 */
final class Paraphrases {
    /** Each relation or place phrase of the grammar (first) and the ways a training caption may say it instead. */
    private static final List<List<String>> PHRASES = List.of(
            List.of(" to the left of ", " left of ", " on the left of "),
            List.of(" to the right of ", " right of ", " on the right of "),
            List.of(" above ", " over ", " on top of "),
            List.of(" below ", " under ", " beneath ", " underneath "),
            List.of(" in the center", " in the middle", " in the centre"),
            List.of(" on the left", " on the left side", " at the left"),
            List.of(" on the right", " on the right side", " at the right"),
            List.of(" at the top", " near the top", " at the top of the picture"),
            List.of(" at the bottom", " near the bottom", " at the bottom of the picture"));
    /** Prefixes (first) and their paraphrases; they only ever start a prompt. */
    private static final List<List<String>> PREFIXES = List.of(
            List.of("a picture of ", "a drawing of ", "a rendering of "),
            List.of("there is ", "here is ", "we see "));

    private Paraphrases() {
    }

    static String paraphrase(String prompt, SplittableRandom r) {
        if (r.nextBoolean()) {
            return prompt;
        }
        String out = prompt;
        for (List<String> alternatives : PREFIXES) {
            if (out.startsWith(alternatives.get(0))) {
                out = pick(alternatives, r) + out.substring(alternatives.get(0).length());
                break;
            }
        }
        // A prompt has at most one relation or place phrase: replace the first found, once, so a replacement is
        // never itself rewritten by a later rule.
        for (List<String> alternatives : PHRASES) {
            int at = out.indexOf(alternatives.get(0));
            if (at >= 0) {
                out = out.substring(0, at) + pick(alternatives, r) + out.substring(at + alternatives.get(0).length());
                break;
            }
        }
        return out;
    }

    private static String pick(List<String> alternatives, SplittableRandom r) {
        return alternatives.get(r.nextInt(alternatives.size()));
    }
}
