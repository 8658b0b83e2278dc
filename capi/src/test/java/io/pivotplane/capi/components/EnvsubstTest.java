package io.pivotplane.capi.components;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** clusterctl's substitution, as drone/envsubst v2 and its simple processor do it. */
class EnvsubstTest {

    private static final Map<String, String> VALUES = Map.of("NAME", "capa", "EMPTY", "", "ROLE", "arn:aws:iam::1:role/x",
            "MIXED", "Hello World");

    private static String evaluate(String text) {
        return Envsubst.parse(text).evaluate(name -> VALUES.getOrDefault(name, ""));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "${NAME}|capa",
            "${UNSET}|''",
            "${NAME:=x}|capa",
            "${UNSET:=x}|x",
            "${EMPTY:=x}|x",
            "${UNSET=x}|x",
            "${UNSET:-x}|x",
            "${UNSET:=\"\"}|\"\"",
            "${UNSET:=:8443}|:8443",
            "--v=${UNSET:=0} --x|--v=0 --x",
            "${UNSET:=${NAME}}|capa",
            "$${NAME}|${NAME}",
            "$$(VAR_NAME)|$(VAR_NAME)",
            "$NAME|$NAME",
            "${ NAME }|capa",
            "${NAME }|capa",
            "${ROLE/#arn/role-arn: arn}|'role-arn: arn:aws:iam::1:role/x'",
            "${UNSET/#arn/role-arn: arn}|''",
            "${MIXED,,}|hello world",
            "${MIXED^^}|HELLO WORLD",
            "${#NAME}|4",
            "${MIXED:6}|World",
            "${MIXED:0:5}|Hello",
            "${MIXED/o/0}|Hell0 World",
            "${MIXED//o/0}|Hell0 W0rld",
            "${MIXED#*l}|lo World",
            "${MIXED##*l}|d",
            "${MIXED%o*}|Hello W",
            "${MIXED%%o*}|Hell",
    })
    void substitutesAsEnvsubstDoes(String text, String expected) {
        assertThat(evaluate(text)).isEqualTo(expected);
    }

    @Test
    void aVariableHasADefaultWhenItsFirstAppearanceGivesOneAndNestedVariablesAreNotListed() {
        Map<String, String> variables = Envsubst.parse(
                "a: ${ROLE/#arn/eks: arn}\nb: ${ROLE:=\"\"}\nc: ${CREDENTIALS}\nd: ${X:=${INNER}}\ne: ${CREDENTIALS:=y}")
                .variables();

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("ROLE", "arneks: arn");
        expected.put("CREDENTIALS", "");
        expected.put("X", "${INNER}");
        assertThat(variables).containsExactlyEntriesOf(expected);
    }

    @Test
    void textWithoutSubstitutionsHasNone() {
        assertThat(Envsubst.parse("kind: Secret\ndata: {}\n").hasSubstitutions()).isFalse();
        assertThat(Envsubst.parse("description: \"$$(VAR_NAME)\"").hasSubstitutions()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"${VAR-default}", "${VAR", "${}", "${VAR:=x"})
    void whatEnvsubstCannotParseIsRefused(String text) {
        assertThatThrownBy(() -> Envsubst.parse(text)).isInstanceOf(Envsubst.BadSubstitutionException.class);
    }
}
