insert into etl.search_documents by name
select run_search_documents.*
from run_search_documents
semi join new_contents using (source_path, sha256)
