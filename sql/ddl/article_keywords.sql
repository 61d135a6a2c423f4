create table if not exists article_keywords (
    article_id bigint not null,
    position integer not null,
    keyword varchar not null,
    keyword_normalized varchar not null,
);
comment on table article_keywords is 'SEO keywords per article: comma-split, trimmed, case-insensitive repeats dropped, order kept. Key: article_id, position (unique, checked before every publish).';
comment on column article_keywords.article_id is 'The article (articles.article_id).';
comment on column article_keywords.position is 'Position in the article''s keyword list, from 1.';
comment on column article_keywords.keyword is 'The keyword as first spelled in the article.';
comment on column article_keywords.keyword_normalized is 'Lower-cased (case-folded) keyword with inner spaces collapsed: group by this.';
