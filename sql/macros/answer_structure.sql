-- How an answer is laid out, one label by precedence: 'numbered' (it has numbered
-- points), else 'bulleted' (a line starts with -, * or + and a space), else 'headings' (a
-- line is a # heading), else 'prose'.
create or replace macro answer_structure(markdown, point_count) as
    case
        when point_count > 0 then 'numbered'
        when regexp_matches(markdown, '(?m)^[ \t]*[-*+][ \t]+\S') then 'bulleted'
        when regexp_matches(markdown, '(?m)^[ ]{0,3}#{1,6}[ \t]+\S') then 'headings'
        else 'prose'
    end;
