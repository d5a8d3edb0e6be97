-- search_fold() (0028) took accents off by a list of letters: Vietnamese (Nguyễn, Phạm),
-- pinyin (Lǚ, Zhōu) and any accent not on the list stayed, and "nguyen" found nobody. Now
-- the text is decomposed (NFD: a letter, then its accents as combining marks), the marks are
-- dropped, and only what does not decompose (đ, ł, ø, ħ, ŧ, ı, ß, æ, œ, þ) is still mapped by
-- hand. Lowering comes after: on a database whose character type is C, lower() leaves every
-- letter outside ASCII as it is, and by then the decomposable ones are plain ASCII.
-- normalize() needs a UTF8 database; on any other the list alone does it, as before.
CREATE OR REPLACE FUNCTION search_fold(t text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    IF current_setting('server_encoding') = 'UTF8' THEN
        t := regexp_replace(normalize(t, NFD), '[\u0300-\u036f]', '', 'g');
    END IF;
    RETURN translate(
        replace(replace(replace(replace(replace(replace(replace(replace(lower(t),
            'ß', 'ss'), 'ẞ', 'ss'), 'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'),
            'þ', 'th'), 'Þ', 'th'),
        'àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżžșțĐŁØĦŦ',
        'aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssstttuuuuuuuuuuwyyyzzzstdloht');
END
$$;

-- Cards with a letter outside ASCII, written again: their stored search columns (0028) are
-- made anew with the new folding. Cards of ASCII alone never call search_fold().
UPDATE cards SET name = name
WHERE octet_length(name || company || headline || looking_for || can_help_with)
      <> length(name || company || headline || looking_for || can_help_with);
