DROP TABLE distributor_applications;
DROP TABLE recruitment_forms;
