create table if not exists related_articles (
    article_id bigint not null,
    rank integer not null,
    related_article_id bigint,
    related_title varchar,
    related_subject varchar,
    related_url varchar,
);
comment on table related_articles is 'Related-article links (related_article1..5) of each article; the target may be missing from articles. Key: article_id, rank (unique, checked before every publish).';
comment on column related_articles.article_id is 'The linking article (articles.article_id).';
comment on column related_articles.rank is 'N of the related_articleN field, 1..5.';
comment on column related_articles.related_article_id is 'Id of the linked article; may not exist in articles.';
comment on column related_articles.related_title is 'Title of the linked article as the link gives it.';
comment on column related_articles.related_subject is 'Subject of the linked article as the link gives it.';
comment on column related_articles.related_url is 'URL of the linked article.';
