package dev.pictor.datasets.shapes;

import dev.pictor.api.BadInputException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Parses prompts of the Shapes world's grammar (spec version 1) into their meaning, and checks a scene
 * against it. Words the grammar does not name are an error, not noise.
 *
 * <pre>{@code
 * Prompt p = PromptParser.parse("a photo of a small red circle above a blue square");
 * p.objects().get(0).colour();   // RED
 * p.relation();                  // Optional[ABOVE]
 * p.isTrueOf(scene);             // checks colours, shapes, sizes and the relation
 * }</pre>
 */
public final class PromptParser {
    private static final List<String> PREFIXES = List.of("a picture of ", "an image of ", "a photo of ", "there is ");

    private PromptParser() {
    }

    /** What one object of a prompt says. */
    public record ObjectSpec(Optional<Boolean> large, Colour colour, Shape shape) {
        /** Whether an object fits this description. */
        public boolean describes(SceneObject o) {
            return o.colour() == colour && o.shape() == shape && large.map(l -> l == o.isLarge()).orElse(true);
        }
    }

    /** A parsed prompt: one object with an optional place, or two objects and a relation. */
    public record Prompt(List<ObjectSpec> objects, Optional<Place> place, Optional<Relation> relation) {
        public Prompt {
            objects = List.copyOf(objects);
        }

        /** Whether the scene is what the prompt says (object count, descriptions, place or relation). */
        public boolean isTrueOf(Scene scene) {
            List<SceneObject> os = scene.objects();
            if (os.size() != objects.size()) {
                return false;
            }
            if (os.size() == 1) {
                return objects.get(0).describes(os.get(0)) && place.map(p -> p.matches(os.get(0))).orElse(true);
            }
            for (int[] order : new int[][] {{0, 1}, {1, 0}}) {
                SceneObject a = os.get(order[0]);
                SceneObject b = os.get(order[1]);
                if (objects.get(0).describes(a) && objects.get(1).describes(b) && relation.orElseThrow().holds(a, b)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Parses a prompt; anything outside the grammar is a {@link BadInputException} naming the word. */
    public static Prompt parse(String prompt) {
        Cursor c = new Cursor(prompt.strip().toLowerCase(Locale.ROOT), prompt);
        for (String prefix : PREFIXES) {
            if (c.rest().startsWith(prefix)) {
                c.skip(prefix.length());
                break;
            }
        }
        ObjectSpec first = object(c);
        if (c.done()) {
            return new Prompt(List.of(first), Optional.empty(), Optional.empty());
        }
        for (Place p : Place.values()) {
            if (c.rest().equals(p.phrase())) {
                return new Prompt(List.of(first), Optional.of(p), Optional.empty());
            }
        }
        for (Relation r : Relation.values()) {
            String phrase = " " + r.phrase() + " ";
            if (c.rest().startsWith(phrase)) {
                c.skip(phrase.length());
                ObjectSpec second = object(c);
                if (!c.done()) {
                    throw c.error();
                }
                return new Prompt(List.of(first, second), Optional.empty(), Optional.of(r));
            }
        }
        throw c.error();
    }

    private static ObjectSpec object(Cursor c) {
        String word = c.word();
        if (!word.equals("a") && !word.equals("an")) {
            throw c.errorAt(word, "'a' or 'an'");
        }
        word = c.word();
        Optional<Boolean> large = Optional.empty();
        if (word.equals("small") || word.equals("large")) {
            large = Optional.of(word.equals("large"));
            word = c.word();
        }
        Colour colour;
        try {
            colour = Colour.parse(word);
        } catch (IllegalArgumentException e) {
            throw c.errorAt(word, "a colour");
        }
        String shapeWord = c.word();
        try {
            return new ObjectSpec(large, colour, Shape.parse(shapeWord));
        } catch (IllegalArgumentException e) {
            throw c.errorAt(shapeWord, "circle, square or triangle");
        }
    }

    /** Reads the prompt word by word. */
    private static final class Cursor {
        private final String text;
        private final String original;
        private int at;

        Cursor(String text, String original) {
            this.text = text;
            this.original = original;
        }

        String rest() {
            return text.substring(at);
        }

        boolean done() {
            return at >= text.length();
        }

        void skip(int n) {
            at += n;
        }

        String word() {
            if (at < text.length() && text.charAt(at) == ' ') {
                at++;
            }
            int end = text.indexOf(' ', at);
            String w = end < 0 ? text.substring(at) : text.substring(at, end);
            at = end < 0 ? text.length() : end;
            return w;
        }

        BadInputException errorAt(String word, String expected) {
            return new BadInputException("prompt '" + original + "': expected " + expected + ", found '" + word
                    + "' (see the Shapes-world grammar)");
        }

        BadInputException error() {
            return new BadInputException("prompt '" + original + "': '" + rest().strip() + "' is not a place or"
                    + " relation of the Shapes-world grammar");
        }
    }
}
