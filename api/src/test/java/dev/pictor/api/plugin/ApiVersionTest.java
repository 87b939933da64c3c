package dev.pictor.api.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pictor.api.BadInputException;
import org.junit.jupiter.api.Test;

class ApiVersionTest {
    @Test
    void sameMajorAndOlderOrEqualMinorIsSupported() {
        ApiVersion api = new ApiVersion(1, 3);
        assertThat(api.supports(new ApiVersion(1, 0))).isTrue();
        assertThat(api.supports(new ApiVersion(1, 3))).isTrue();
        assertThat(api.supports(new ApiVersion(1, 4))).isFalse();
        assertThat(api.supports(new ApiVersion(0, 9))).isFalse();
        assertThat(api.supports(new ApiVersion(2, 0))).isFalse();
    }

    @Test
    void parsesAndRejects() {
        assertThat(ApiVersion.parse(" 1.2 ")).isEqualTo(new ApiVersion(1, 2));
        assertThatThrownBy(() -> ApiVersion.parse("1")).isInstanceOf(BadInputException.class);
        assertThatThrownBy(() -> ApiVersion.parse("1.x")).isInstanceOf(BadInputException.class);
        assertThatThrownBy(() -> ApiVersion.parse("-1.0")).isInstanceOf(BadInputException.class);
    }
}
