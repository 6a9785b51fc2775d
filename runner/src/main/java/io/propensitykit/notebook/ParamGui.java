package io.propensitykit.notebook;

import org.apache.zeppelin.display.GUI;
import org.apache.zeppelin.display.ui.OptionInput.ParamOption;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Zeppelin's form registry, filled from {@code -p name=value}. A command-line value is text, so
 * for checkboxes it is read as a comma-separated list, which is what Zeppelin stores there.
 */
final class ParamGui extends GUI {

    private static final long serialVersionUID = 1L;

    ParamGui(Map<String, Object> params) {
        setParams(new java.util.LinkedHashMap<>(params));
    }

    @Override
    public List<Object> checkbox(String id, ParamOption[] options, Collection<Object> defaultChecked) {
        Object value = getParams().get(id);
        if (value instanceof String text) {
            getParams().put(id, Arrays.asList((Object[]) text.split(",")));
        }
        return super.checkbox(id, options, defaultChecked);
    }

    /**
     * Leaves in {@code params} exactly the value each form of this paragraph used: a given value, or
     * the form's default. Zeppelin stores the same map; with defaults filled in, the executed note
     * and the report say which values produced the results.
     */
    void recordParamsUsed() {
        getParams().keySet().retainAll(getForms().keySet());
        getForms().forEach((name, form) -> getParams().putIfAbsent(name, form.getDefaultValue()));
    }
}
